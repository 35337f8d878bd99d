/**
 * Which cgroup layout a host has, as containerd's cgroups.Mode(): "v2" when
 * the root is the unified hierarchy, "hybrid" when v1 controllers sit beside a
 * cgroup2 mount at <root>/unified, "v1" otherwise. containerd's runc shim uses
 * the v2 manager only for "v2"; in hybrid mode the controllers are on v1.
 *
 * containerd looks at filesystem magic numbers; this looks at the files each
 * kind of mount always has (cgroup.controllers exists only on cgroup2, a v1
 * controller hierarchy always has cgroup.procs), which says the same on a real
 * host and also works over a temp tree. Synchronous: it runs once at start-up.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FailedPreconditionError } from '../errors';
import { V1_CONTROLLERS } from './v1-stats';

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';

export function detectCgroupMode(root: string = DEFAULT_CGROUP_ROOT): CgroupMode {
  if (existsSync(join(root, 'cgroup.controllers'))) return 'v2';
  if (!V1_CONTROLLERS.some((controller) => existsSync(join(root, controller, 'cgroup.procs')))) {
    throw new FailedPreconditionError(`cgroups: no cgroup v1 or v2 hierarchy under ${root}`);
  }
  return existsSync(join(root, 'unified', 'cgroup.controllers')) ? 'hybrid' : 'v1';
}

/** The manager a mode gets: hybrid hosts keep their controllers on v1. */
export function cgroupVersionOf(mode: CgroupMode): 1 | 2 {
  return mode === 'v2' ? 2 : 1;
}
