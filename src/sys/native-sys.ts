import { loadSysAddon } from './load-addon';
import type { NetnsSys } from './netns-sys';
import type { SysAddon } from './sys-addon';
import type { FdWatch, IdMapping, Sys, WaitResult } from './sys';
import type { UsernsSys } from './userns-sys';

/**
 * Sys over the native addon. The addon is loaded on the first call, so building
 * a NativeSys costs nothing on paths that never touch the kernel boundary.
 * Failures are Node-style system errors: `.code` is the errno name ('EPERM',
 * 'ECHILD', 'ETIMEDOUT'), `.errno`, `.syscall` and, for paths, `.path`.
 */
export class NativeSys implements Sys, NetnsSys, UsernsSys {
  constructor(private readonly load: () => SysAddon = loadSysAddon) {}

  setChildSubreaper(): void {
    this.load().setChildSubreaper();
  }

  waitpid(pid: number): WaitResult | null {
    return this.load().waitpid(pid);
  }

  pipe(): [number, number] {
    return this.load().pipe();
  }

  /**
   * Setup failures (bind: EADDRINUSE, ENAMETOOLONG) throw synchronously, so a
   * caller never starts the runtime against a socket that does not exist and
   * never leaves a rejected promise unobserved.
   */
  receiveFd(socketPath: string, timeoutMs: number): Promise<number> {
    return this.load().receiveFd(socketPath, timeoutMs);
  }

  setWinsize(fd: number, cols: number, rows: number): void {
    this.load().setWinsize(fd, cols, rows);
  }

  eventfd(): number {
    return this.load().eventfd();
  }

  /** Close the watch before closing the fd: epoll must not outlive the fd it polls. */
  watchEventfd(fd: number, onCount: (count: number) => void): FdWatch {
    return this.load().watchEventfd(fd, onCount);
  }

  mount(source: string, target: string, fstype: string, flags: number, data: string): void {
    this.load().mount(source, target, fstype, flags, data);
  }

  unmount(target: string, flags: number): void {
    this.load().unmount(target, flags);
  }

  flock(fd: number, op: number): void {
    this.load().flock(fd, op);
  }

  openTree(path: string, flags: number): number {
    return this.load().openTree(path, flags);
  }

  mountSetattrIdmap(fd: number, usernsFd: number): void {
    this.load().mountSetattrIdmap(fd, usernsFd);
  }

  moveMount(fd: number, targetPath: string): void {
    this.load().moveMount(fd, targetPath);
  }

  /** Clones a short-lived helper child (reaped here, invisible to the reaper) to create the namespace. */
  usernsFdForMapping(uidMappings: IdMapping[], gidMappings: IdMapping[]): number {
    return this.load().usernsFdForMapping(uidMappings, gidMappings);
  }

  /** The calling (event-loop) thread enters the namespace and is back before this returns. */
  mountInNetns(netnsPath: string, source: string, target: string, fstype: string, flags: number): void {
    this.load().mountInNetns(netnsPath, source, target, fstype, flags);
  }

  writeInNetns(netnsPath: string, files: ReadonlyArray<{ path: string; value: string }>): void {
    this.load().writeInNetns(netnsPath, files);
  }

  /** Costs a short-lived helper process in the namespace (about a millisecond). */
  userNamespaceMappings(path: string): { uidMap: string; gidMap: string } {
    return this.load().userNamespaceMappings(path);
  }
}
