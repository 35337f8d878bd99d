import type { FdWatch, Sys } from '../sys/sys';
import type { CgroupMode } from './detect-mode';
import type { CgroupStats } from './metrics';

/** The part of the Sys port the cgroup v1 OOM watch needs (an eventfd and a loop watch on it). */
export type OomSys = Pick<Sys, 'eventfd' | 'watchEventfd'>;

/**
 * One container's cgroup, whichever cgroup version holds it. Reads only, for
 * now; creating cgroups and setting limits (the partition work) will be added
 * here as further methods.
 */
export interface CgroupManager {
  readonly version: 1 | 2;
  /** The Metrics message for the Stats RPC. NotFoundError once the cgroup is gone. */
  stats(): Promise<CgroupStats>;
  /**
   * Every process in the cgroup and its descendant cgroups (as runc's
   * GetAllPids), sorted. On v1 the memory hierarchy is read (else pids,
   * cpuacct, ...): runc puts a container at the same path in all of them.
   * NotFoundError once the cgroup is gone.
   */
  pids(): Promise<number[]>;
  /**
   * OOM kills in the cgroup so far: v1 memory.oom_control `oom_kill`, v2
   * memory.events `oom_kill`. 0 without a memory controller. Lets a caller
   * tell an exit by SIGKILL (137) from the OOM killer apart from others.
   */
  oomKillCount(): Promise<number>;
  /**
   * Calls `onOom` for each OOM kill notification until the watch is closed.
   * v1: an eventfd registered on memory.oom_control through
   * cgroup.event_control (containerd's pkg/oom/v1); the wake-up the kernel
   * sends when the cgroup is removed is not reported and ends the watch.
   * v2: inotify on memory.events, firing when `oom_kill` grows (pkg/oom/v2);
   * it also checks once at start, so a kill before the watch is not lost.
   * NotFoundError when there is no memory cgroup to watch.
   */
  watchOom(onOom: () => void): Promise<FdWatch>;
}

/** Where the cgroup filesystems are. Every root is a parameter so tests run over temp trees. */
export interface CgroupEnv {
  /** The cgroupfs mount point; default /sys/fs/cgroup. */
  root?: string;
  /** The procfs mount point; default /proc. */
  procRoot?: string;
  /** Skips detection (callers detect once at start-up and pass it on). */
  mode?: CgroupMode;
  sys: OomSys;
}
