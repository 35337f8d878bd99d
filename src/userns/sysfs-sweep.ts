/**
 * Takes down the pod sysfs instances a killed shim left staged (stale-sysfs.ts says which). Run
 * once when a shim daemon boots, beside the idmapped-view sweep: with nothing staged it costs one
 * readdir, and it reads the allocator's state and the mount table only when something is.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HostProcesses } from './host-processes';
import { readMountinfo, type MountEntry } from './mountinfo';
import { staleStagedSysfs, type StagedSysfs } from './stale-sysfs';
import { readState } from './state-file';

export interface SysfsSweepDeps {
  /** where pods' sysfs instances are staged: <dir>/<namespace>/<pod>/sys */
  dir: string;
  statePath: string;
  processes: HostProcesses;
  graceMs: number;
  /** unmounts a staged sysfs and removes its directories (the namespace's once empty) */
  remove(target: string): void;
  mounts?: () => MountEntry[];
  now?: () => Date;
}

/** The stale staged sysfs mount points removed; one that cannot be removed is left for the next sweep. */
export function sweepStagedSysfs(deps: SysfsSweepDeps): string[] {
  const now = deps.now?.() ?? new Date();
  const pods: Array<{ namespace: string; pod: string }> = [];
  for (const namespace of list(deps.dir)) for (const pod of list(join(deps.dir, namespace))) pods.push({ namespace, pod });
  if (pods.length === 0) return [];
  const mounted = new Set((deps.mounts ?? (() => readMountinfo()))().map((m) => m.mountPoint));
  const staged: StagedSysfs[] = [];
  for (const { namespace, pod } of pods) {
    const dir = join(deps.dir, namespace, pod);
    try {
      const path = join(dir, 'sys');
      staged.push({ path, pod: `${namespace}/${pod}`, mounted: mounted.has(path), ageMs: now.getTime() - statSync(dir).mtimeMs });
    } catch {
      // removed meanwhile
    }
  }
  // After listing: a live pod's range is recorded before its sysfs is staged.
  const state = readState(deps.statePath);
  const stale = staleStagedSysfs(staged, {
    ranges: state.ranges,
    liveness: { bootId: deps.processes.bootId(), startTime: (pid) => deps.processes.stat(pid)?.start, now },
    graceMs: deps.graceMs,
  });
  const removed: string[] = [];
  for (const s of stale) {
    try {
      deps.remove(s.path);
      removed.push(s.path);
    } catch {
      // busy or gone meanwhile: the next sweep looks again
    }
  }
  return removed;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
