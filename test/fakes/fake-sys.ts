import type { FdWatch, IdMapping, Sys, WaitResult } from '../../src/sys/sys';

export interface FakeSysCall {
  method: keyof Sys;
  args: unknown[];
}

/** An Error shaped like the native module's (and Node's) system errors. */
export function errnoError(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${syscall}${path ? ` '${path}'` : ''}`);
  err.code = code;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  return err;
}

/**
 * A recording Sys for tests of the layers above. Every call is appended to
 * `calls`; results come from the public fields; `failWith` makes a method throw
 * (or reject, for receiveFd). fds are made-up numbers from 1000 on: they are
 * never real, so code under test must not hand them to fs.
 */
export class FakeSys implements Sys {
  readonly calls: FakeSysCall[] = [];
  /** waitpid answers per pid; a pid not present throws ECHILD like the kernel. */
  readonly waitResults = new Map<number, WaitResult | null>();
  /** What receiveFd resolves with (an fd) or rejects with (an Error). */
  receiveFdResult: number | Error = 999;
  /** Methods that throw this error instead of answering. */
  readonly failWith = new Map<keyof Sys, Error>();
  /** Live eventfd watches by fd; fireEventfd drives them. */
  readonly watches = new Map<number, (count: number) => void>();
  /** Mounted targets, in order, minus unmounted ones. */
  readonly mounts: string[] = [];
  private nextFd = 1000;

  setChildSubreaper(): void {
    this.record('setChildSubreaper', []);
  }

  waitpid(pid: number): WaitResult | null {
    this.record('waitpid', [pid]);
    if (!this.waitResults.has(pid)) throw errnoError('ECHILD', 'waitpid');
    const result = this.waitResults.get(pid) ?? null;
    // The kernel reports an exit once: later calls see no such child.
    if (result !== null) this.waitResults.delete(pid);
    return result;
  }

  pipe(): [number, number] {
    this.record('pipe', []);
    return [this.nextFd++, this.nextFd++];
  }

  receiveFd(socketPath: string, timeoutMs: number): Promise<number> {
    try {
      this.record('receiveFd', [socketPath, timeoutMs]);
    } catch (err) {
      return Promise.reject(err);
    }
    const result = this.receiveFdResult;
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  }

  setWinsize(fd: number, cols: number, rows: number): void {
    this.record('setWinsize', [fd, cols, rows]);
  }

  eventfd(): number {
    this.record('eventfd', []);
    return this.nextFd++;
  }

  watchEventfd(fd: number, onCount: (count: number) => void): FdWatch {
    this.record('watchEventfd', [fd]);
    this.watches.set(fd, onCount);
    return { close: () => this.watches.delete(fd) };
  }

  mount(source: string, target: string, fstype: string, flags: number, data: string): void {
    this.record('mount', [source, target, fstype, flags, data]);
    this.mounts.push(target);
  }

  unmount(target: string, flags: number): void {
    this.record('unmount', [target, flags]);
    const at = this.mounts.lastIndexOf(target);
    if (at < 0) throw errnoError('EINVAL', 'umount2', target);
    this.mounts.splice(at, 1);
  }

  /** flock never blocks here: tests of lock contention use the real module across processes. */
  flock(fd: number, op: number): void {
    this.record('flock', [fd, op]);
  }

  openTree(path: string, flags: number): number {
    this.record('openTree', [path, flags]);
    return this.nextFd++;
  }

  mountSetattrIdmap(fd: number, usernsFd: number): void {
    this.record('mountSetattrIdmap', [fd, usernsFd]);
  }

  /** A moved mount counts as mounted at its target, so unmount finds it. */
  moveMount(fd: number, targetPath: string): void {
    this.record('moveMount', [fd, targetPath]);
    this.mounts.push(targetPath);
  }

  usernsFdForMapping(uidMappings: IdMapping[], gidMappings: IdMapping[]): number {
    this.record('usernsFdForMapping', [uidMappings, gidMappings]);
    return this.nextFd++;
  }

  /** Simulates the kernel bumping an eventfd's counter (e.g. an OOM notification). */
  fireEventfd(fd: number, count = 1): void {
    const onCount = this.watches.get(fd);
    if (!onCount) throw new Error(`no watch on fd ${fd}`);
    onCount(count);
  }

  /** The calls made to one method, oldest first. */
  callsTo(method: keyof Sys): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private record(method: keyof Sys, args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failWith.get(method);
    if (failure) throw failure;
  }
}
