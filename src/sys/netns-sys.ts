/**
 * Kernel calls made from the host's side inside a network namespace (native/src/netns-thread.c):
 * only the calling thread enters it, and it is back in the shim's before the call returns.
 * A port of its own, beside Sys: only the pod-network code needs it.
 */
export interface NetnsSys {
  /** mount(2) with the calling thread in the network namespace at netnsPath (a sysfs mounted so is that namespace's) */
  mountInNetns(netnsPath: string, source: string, target: string, fstype: string, flags: number): void;
  /** opens and writes each file with the calling thread in that namespace (/proc/sys/net is the opener's); stops at the first failure */
  writeInNetns(netnsPath: string, files: ReadonlyArray<{ path: string; value: string }>): void;
}
