import { listProcesses, type ProcessInfo } from '../harness/host-state';

/**
 * Processes of our shim (dev launcher or single executable) started for a ctr namespace: every
 * invocation (start, serve, delete) carries `-namespace <ns>`, which keeps other test runs out.
 */
export function shimProcesses(namespace: string): ProcessInfo[] {
  const nsFlag = `-namespace ${namespace} `;
  return listProcesses().filter(
    (p) =>
      `${p.cmdline} `.includes(nsFlag) &&
      (p.cmdline.includes('launcher.js') || p.cmdline.includes('containerd-shim-metassembly')),
  );
}

/** The long-lived shim daemons (the `serve` action) of a namespace. */
export function shimDaemons(namespace: string): ProcessInfo[] {
  return shimProcesses(namespace).filter((p) => / serve$/.test(p.cmdline));
}
