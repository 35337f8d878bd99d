/**
 * Which staged pod sysfs instances (<dir>/<namespace>/<pod>/sys, task/pod-network-host.ts) a
 * killed shim left behind. Each holds its pod's network namespace alive. The directory is shared
 * by every shim daemon of the host, so a staged sysfs is judged by the allocator's state, never
 * by who mounted it: only pods in their own user namespace get one, and their range (owner
 * "<namespace>/<pod>", of any partition) is allocated before it is staged and released after it
 * is taken down.
 *
 * - mounted, and the pod's range has a live holder (a container init, or the daemon creating
 *   one), or cannot be judged (recorded before holders): live;
 * - mounted otherwise (no range, or none of its holders lives): stale;
 * - a pod directory with nothing mounted: stale after the create grace (a create mounts right
 *   after making it).
 */
import { holderLive, type HeldRange, type LivenessFacts } from './holders';

export interface StagedSysfs {
  /** the mount point, <dir>/<namespace>/<pod>/sys */
  path: string;
  /** the allocator's name for the pod: "<namespace>/<pod>" */
  pod: string;
  mounted: boolean;
  /** how long ago the pod's directory last changed (its mount point was made) */
  ageMs: number;
}

export interface StagedSysfsFacts {
  ranges: ReadonlyArray<HeldRange & { owner: { pod: string } }>;
  liveness: LivenessFacts;
  graceMs: number;
}

export function staleStagedSysfs(staged: readonly StagedSysfs[], facts: StagedSysfsFacts): StagedSysfs[] {
  return staged.filter((s) => {
    if (!s.mounted) return s.ageMs >= facts.graceMs;
    const ranges = facts.ranges.filter((r) => r.owner.pod === s.pod);
    return !ranges.some((r) => r.holders === undefined || r.holders.some((h) => holderLive(h, facts.liveness)));
  });
}
