/**
 * A node partition's cgroup: made with its limits and its controllers delegated to the
 * pods below it, inspected, and removed. The port both cgroup versions implement; the
 * cgroupfs root is a parameter, so creation is tested on temp trees.
 *
 * Layout (the same path in every v1 hierarchy, or once under the v2 root):
 *   <root>/metassembly.slice/<name>            the partition: limits, controllers delegated
 *   <root>/metassembly.slice/<name>/.system    a leaf for its kubelet, containerd and shim
 *   <root>/metassembly.slice/<name>/.pods      all pods together: the partition less the daemons' reserve
 *   <root>/metassembly.slice/<name>/.pods/<pod>/<container>   what placement gives containers
 * The daemons need a leaf of their own because on v2 a cgroup that delegates controllers
 * to children may hold no processes itself. The pods need a parent of their own because a
 * limit is only a ceiling: the daemons' share of pids and memory is kept for them by
 * capping everything else, so pods that fill theirs (a fork bomb) leave the shim the
 * processes it needs to kill them. Neither name can be a pod: containerd ids start with a
 * letter or digit.
 */
import { InvalidArgumentError } from '../errors';

/** The partition limits in cgroup v2 terms; v1 converts them. */
export interface CgroupLimits {
  /** cpuset.cpus, list form */
  cpus: string;
  /** cpuset.mems, list form */
  mems: string;
  memoryMax: number;
  memoryHigh: number;
  pidsMax: number;
  /** cpu.weight, 1..10000 */
  cpuWeight: number;
  /** io.weight, 1..10000 */
  ioWeight: number;
  /** the limits of `.pods`, the pods' share */
  pods: { memoryMax: number; pidsMax: number };
}

export interface CgroupOccupancy {
  /** every process in the partition's subtree, daemons in `.system` included, sorted */
  pids: number[];
  /** the pods' cgroups (children of `.pods`) and any other cgroup made beside `.system` and `.pods` */
  children: string[];
}

export interface PartitionCgroupInfo {
  version: 1 | 2;
  /**
   * The cgroup.procs files a process writes its pid to, to join the partition's `.system`
   * leaf (one per v1 hierarchy the partition has, one on v2).
   */
  systemProcs: string[];
  /** what could not be set on this host and why (e.g. no io weight without a weight-based io scheduler) */
  notes: string[];
}

export interface PartitionCgroups {
  readonly version: 1 | 2;
  /**
   * Makes `path` (absolute under the root, e.g. /metassembly.slice/p0) and its ancestors,
   * delegates controllers top-down, writes the limits, makes the `.system` leaf and the
   * `.pods` cgroup with the pods' limits.
   * Idempotent: on an existing partition it writes the same limits again.
   */
  create(path: string, limits: CgroupLimits): Promise<PartitionCgroupInfo>;
  exists(path: string): Promise<boolean>;
  /** NotFoundError when the partition's cgroup does not exist. */
  occupancy(path: string): Promise<CgroupOccupancy>;
  /**
   * Removes the partition's cgroups bottom-up. With processes or pods in it this is
   * FailedPreconditionError, unless `force`: then every process is killed first (v2
   * cgroup.kill, v1 SIGKILL to each pid until none is left). A missing cgroup is done.
   */
  remove(path: string, options: { force: boolean }): Promise<void>;
}

/** The daemons' leaf under a partition. */
export const SYSTEM_LEAF = '.system';
/** The parent of a partition's pod cgroups; `partition create` points the shim and the kubelet at it. */
export const PODS_CGROUP = '.pods';

/** The cgroups that count as a partition's pods: children of `.pods`, and strays beside it. */
export function podCgroupsOf(children: readonly string[], podsChildren: readonly string[]): string[] {
  const strays = children.filter((name) => name !== SYSTEM_LEAF && name !== PODS_CGROUP);
  return [...new Set([...podsChildren, ...strays])].sort();
}

/** Absolute, no empty, '.' or '..' segment: a partition path can never leave the root. */
export function checkCgroupPath(path: string): string[] {
  const segments = path.split('/').slice(1);
  if (!path.startsWith('/') || segments.length === 0 || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new InvalidArgumentError(`cgroups: ${JSON.stringify(path)} is not a clean absolute cgroup path`);
  }
  return segments;
}

/** "2 pod cgroups (a, b) and 3 processes (1 2 3)": for refusals. */
export function describeOccupancy({ pids, children }: CgroupOccupancy): string {
  const parts: string[] = [];
  if (children.length > 0) parts.push(`${children.length} pod cgroup${children.length > 1 ? 's' : ''} (${children.slice(0, 5).join(', ')}${children.length > 5 ? ', ...' : ''})`);
  if (pids.length > 0) parts.push(`${pids.length} process${pids.length > 1 ? 'es' : ''} (${pids.slice(0, 8).join(' ')}${pids.length > 8 ? ' ...' : ''})`);
  return parts.join(' and ');
}
