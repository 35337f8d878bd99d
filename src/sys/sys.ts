/**
 * The kernel boundary Node does not cover. One port; the real implementation
 * is the native module (native/), tests may use a recording fake.
 * Every fd returned is O_CLOEXEC unless stated otherwise.
 */
export interface WaitResult {
  pid: number;
  /** Exit code if the process exited, 128 + signal if a signal killed it. */
  status: number;
}

export interface FdWatch {
  close(): void;
}

export interface Sys {
  /** prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are reparented to us. */
  setChildSubreaper(): void;
  /** waitpid(pid, WNOHANG). null while the child runs; throws (errno ECHILD) if it is not our child. */
  waitpid(pid: number): WaitResult | null;
  /** pipe2(O_CLOEXEC) -> [readFd, writeFd]. Real pipes: programs that open /dev/stdout need them. */
  pipe(): [number, number];
  /**
   * Listen on a new unix socket at `socketPath`, accept one connection and
   * receive one fd over SCM_RIGHTS (the pty master runc sends to --console-socket).
   * Runs off the event loop. Rejects on timeout. The socket file is removed before resolving/rejecting.
   */
  receiveFd(socketPath: string, timeoutMs: number): Promise<number>;
  /** ioctl(fd, TIOCSWINSZ). */
  setWinsize(fd: number, cols: number, rows: number): void;
  /** eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK). */
  eventfd(): number;
  /** Calls onReadable with the counter's value each time the eventfd fires (uv_poll on the loop). */
  watchEventfd(fd: number, onCount: (count: number) => void): FdWatch;
  /** mount(2). flags are MS_* bits. */
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  /** umount2(2). flags are MNT_* / UMOUNT_* bits. */
  unmount(target: string, flags: number): void;
  /** flock(2). op is LOCK_* bits; with LOCK.NB a lock held elsewhere throws EAGAIN. */
  flock(fd: number, op: number): void;
  /** open_tree(AT_FDCWD, path, flags) -> fd; with OPEN_TREE.CLONE, a detached copy of the mount (tree) at path. */
  openTree(path: string, flags: number): number;
  /** mount_setattr(fd, AT_RECURSIVE, MOUNT_ATTR_IDMAP): the detached tree at fd maps ids through the user namespace. */
  mountSetattrIdmap(fd: number, usernsFd: number): void;
  /** move_mount(MOVE_MOUNT_F_EMPTY_PATH): attaches the detached tree at fd on top of targetPath. */
  moveMount(fd: number, targetPath: string): void;
  /** An fd (O_CLOEXEC) holding a new user namespace with these mappings; no process is left in it. */
  usernsFdForMapping(uidMappings: IdMapping[], gidMappings: IdMapping[]): number;
}

/** One line of a user namespace's uid_map or gid_map (the OCI LinuxIDMapping shape). */
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** flock(2) operations. */
export const LOCK = { SH: 1, EX: 2, NB: 4, UN: 8 } as const;

/** open_tree(2) flags. */
export const OPEN_TREE = { CLONE: 1, CLOEXEC: 0o2000000, AT_RECURSIVE: 0x8000 } as const;

/** Linux mount(2) flags used by the shim. */
export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  REMOUNT: 0x20,
  BIND: 0x1000,
  REC: 0x4000,
  PRIVATE: 0x40000,
} as const;

/** umount2(2) flags. */
export const MNT = { FORCE: 1, DETACH: 2, EXPIRE: 4, NOFOLLOW: 8 } as const;

/** What a spawned helper command (the OCI runtime, a logger) reports when it ends. */
export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** fds given to the child as 0, 1, 2; 'pipe' captures stdout/stderr (returned in the result); 'ignore' is /dev/null. */
  stdio?: [number | 'pipe' | 'ignore', number | 'pipe' | 'ignore', number | 'pipe' | 'ignore'];
  /** written to the child's stdin when stdio[0] is 'pipe' */
  input?: string | Uint8Array;
  /** extra fds from 3 on (e.g. a logger's fds 3, 4, 5) */
  extraFds?: number[];
}

/**
 * Runs short-lived commands. The implementation lives beside the reaper so
 * that every pid libuv spawns is known to it and never reaped from under libuv.
 */
export interface CommandRunner {
  run(file: string, args: string[], options?: CommandOptions): Promise<CommandResult>;
  /**
   * For a long-lived child spawned with child_process outside run() (a binary:// logger):
   * call in the same tick as spawn() so the reaper leaves its exit to libuv.
   */
  track(child: import('node:child_process').ChildProcess): void;
}
