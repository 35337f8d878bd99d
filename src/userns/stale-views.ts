/**
 * Which idmapped rootfs views (<dir>/<namespace>/<container>) a killed shim left behind. The
 * directory is shared by every shim daemon of the host, so a view is judged by what the host
 * shows, never by who mounted it:
 *
 * - a view some process has as its root is its container's: live;
 * - a view whose pod range a live daemon holds for a create in progress may not be anyone's
 *   root yet: live (views are mounted after their range is allocated, so listing the views
 *   before reading the ranges never misses one);
 * - a view whose owner is outside the pool, or on a range from before holders, cannot be
 *   judged: live;
 * - any other view is stale. A directory never mounted is stale only after the create grace
 *   (a create mounts right after making it).
 */
import { creatingOn, type HeldRange, type LivenessFacts } from './holders';

export interface ViewCandidate {
  path: string;
  mounted: boolean;
  /** "dev:ino" of the mounted view's root */
  root?: string;
  /** the host uid owning the view's root: its pod's range start plus the image's owner */
  owner?: number;
  /** for a directory never mounted: how long ago it was made */
  ageMs?: number;
}

export interface ViewFacts {
  /** "dev:ino" of every process's root; only asked for when some view needs it */
  liveRoots(): ReadonlySet<string>;
  /** the ranges recorded now, each with its first host id and size */
  ranges: ReadonlyArray<HeldRange & { hostID: number; size: number }>;
  inPool(uid: number): boolean;
  liveness: LivenessFacts;
  graceMs: number;
}

export function staleViews(views: readonly ViewCandidate[], facts: ViewFacts): ViewCandidate[] {
  let roots: ReadonlySet<string> | undefined;
  return views.filter((view) => {
    if (!view.mounted) return view.ageMs !== undefined && view.ageMs >= facts.graceMs;
    if (view.owner === undefined || !facts.inPool(view.owner)) return false;
    const range = facts.ranges.find((r) => view.owner! >= r.hostID && view.owner! < r.hostID + r.size);
    if (range !== undefined && (range.holders === undefined || creatingOn(range, facts.liveness))) return false;
    roots ??= facts.liveRoots();
    return view.root === undefined || !roots.has(view.root);
  });
}
