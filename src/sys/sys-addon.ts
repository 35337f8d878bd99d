import type { FdWatch, IdMapping, WaitResult } from './sys';

/** The functions native/ exports (see native/src/*.c); errors carry .code/.errno/.syscall like Node's. */
export interface SysAddon {
  setChildSubreaper(): void;
  waitpid(pid: number): WaitResult | null;
  pipe(): [number, number];
  receiveFd(socketPath: string, timeoutMs: number): Promise<number>;
  setWinsize(fd: number, cols: number, rows: number): void;
  eventfd(): number;
  watchEventfd(fd: number, onCount: (count: number) => void): FdWatch;
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  unmount(target: string, flags: number): void;
  flock(fd: number, op: number): void;
  openTree(path: string, flags: number): number;
  mountSetattrIdmap(fd: number, usernsFd: number): void;
  moveMount(fd: number, targetPath: string): void;
  usernsFdForMapping(uidMappings: IdMapping[], gidMappings: IdMapping[]): number;
}
