/**
 * Takes down the idmapped rootfs views a killed shim left mounted (stale-views.ts says which).
 * Run once when a shim daemon boots: the common case, nothing under the directory, costs one
 * readdir; /proc is scanned only when some mounted view is neither being created nor judged.
 */
import { readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HostProcesses } from './host-processes';
import { readMountinfo, type MountEntry } from './mountinfo';
import { poolEnd, type UsernsPool } from './pool';
import { staleViews, type ViewCandidate } from './stale-views';
import { readState } from './state-file';

export interface ViewSweepDeps {
  /** where views are mounted: <dir>/<namespace>/<container> */
  dir: string;
  statePath: string;
  pool: UsernsPool;
  processes: HostProcesses;
  graceMs: number;
  /** unmounts a view and removes its directory (and its namespace's, once empty) */
  remove(target: string): void;
  mounts?: () => MountEntry[];
  now?: () => Date;
}

/** The stale views removed; a view that cannot be removed is left for the next sweep. */
export function sweepIdmappedViews(deps: ViewSweepDeps): string[] {
  const now = deps.now?.() ?? new Date();
  const views = listViews(deps, now);
  if (views.length === 0) return [];
  // After listing: every listed view's range is already recorded (see stale-views.ts).
  const state = readState(deps.statePath);
  const roots = (): Set<string> => {
    const out = new Set<string>();
    for (const pid of deps.processes.pids()) {
      const root = deps.processes.root(pid);
      if (root !== undefined) out.add(root);
    }
    return out;
  };
  const stale = staleViews(views, {
    liveRoots: roots,
    ranges: state.ranges,
    inPool: (uid) => uid >= deps.pool.start && uid < poolEnd(deps.pool),
    liveness: { bootId: deps.processes.bootId(), startTime: (pid) => deps.processes.stat(pid)?.start, now },
    graceMs: deps.graceMs,
  });
  const removed: string[] = [];
  for (const view of stale) {
    try {
      if (view.mounted) deps.remove(view.path);
      else removeEmptyDir(view.path);
      removed.push(view.path);
    } catch {
      // busy or gone meanwhile: the next sweep looks again
    }
  }
  return removed;
}

function listViews(deps: ViewSweepDeps, now: Date): ViewCandidate[] {
  const dirs: string[] = [];
  for (const ns of list(deps.dir)) for (const id of list(join(deps.dir, ns))) dirs.push(join(deps.dir, ns, id));
  if (dirs.length === 0) return [];
  const mounted = new Set((deps.mounts ?? (() => readMountinfo()))().map((m) => m.mountPoint));
  const views: ViewCandidate[] = [];
  for (const path of dirs) {
    try {
      const st = statSync(path);
      views.push(
        mounted.has(path)
          ? { path, mounted: true, root: `${st.dev}:${st.ino}`, owner: st.uid }
          : { path, mounted: false, ageMs: now.getTime() - st.mtimeMs },
      );
    } catch {
      // removed meanwhile
    }
  }
  return views;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function removeEmptyDir(path: string): void {
  rmdirSync(path);
  try {
    rmdirSync(join(path, '..'));
  } catch {
    // another container's view is still in the namespace's directory
  }
}
