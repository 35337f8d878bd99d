/**
 * Finding a container's cgroup and building the manager for it, as
 * containerd's runc shim does at start (cgroup1.Load(PidPath(pid)) or
 * cgroup2.LoadManager(root, PidGroupPath(pid))).
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InternalError, NotFoundError } from '../errors';
import type { CgroupEnv, CgroupManager } from './cgroup-manager';
import { isGone } from './cgroupfs';
import { DEFAULT_CGROUP_ROOT, cgroupVersionOf, detectCgroupMode } from './detect-mode';
import { readProcCgroup } from './proc-cgroup';
import { V1_CONTROLLERS, type V1Dirs } from './v1-stats';
import { CgroupV1Manager } from './v1-manager';
import { CgroupV2Manager } from './v2-manager';

const DEFAULT_PROC_ROOT = '/proc';

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if (isGone(err)) return false;
    throw new InternalError(`cgroups: stat ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Keeps the controllers whose directory exists, as cgroup1.Load; none at all means no cgroup. */
async function v1Manager(paths: Map<string, string>, env: CgroupEnv, root: string, what: string): Promise<CgroupManager> {
  const dirs: V1Dirs = {};
  await Promise.all(
    V1_CONTROLLERS.map(async (controller) => {
      const path = paths.get(controller);
      if (path === undefined) return;
      const dir = resolve(root, controller, `.${path}`);
      if (await isDir(dir)) dirs[controller] = dir;
    }),
  );
  if (Object.keys(dirs).length === 0) throw new NotFoundError(`no cgroup v1 controller holds ${what}`);
  return new CgroupV1Manager(dirs, env.procRoot ?? DEFAULT_PROC_ROOT, env.sys);
}

async function v2Manager(path: string, root: string, what: string): Promise<CgroupManager> {
  const dir = resolve(root, `.${path}`);
  if (!(await isDir(dir))) throw new NotFoundError(`cgroup ${dir} of ${what} not found`);
  return new CgroupV2Manager(dir);
}

/** The manager of the cgroup `pid` is in now (the container's init pid after `create`). */
export async function cgroupManagerForPid(pid: number, env: CgroupEnv): Promise<CgroupManager> {
  const root = env.root ?? DEFAULT_CGROUP_ROOT;
  const version = cgroupVersionOf(env.mode ?? detectCgroupMode(root));
  const cgroups = await readProcCgroup(pid, env.procRoot ?? DEFAULT_PROC_ROOT);
  if (version === 1) return v1Manager(cgroups.v1, env, root, `process ${pid}`);
  if (cgroups.unified === undefined) throw new NotFoundError(`process ${pid} has no cgroup v2 path`);
  return v2Manager(cgroups.unified, root, `process ${pid}`);
}

/**
 * The manager of the cgroup at `path` (e.g. the OCI spec's linux.cgroupsPath
 * "/kubepods/pod1/ctr"): that path in every v1 hierarchy, or under the v2 root.
 */
export async function cgroupManagerForPath(path: string, env: CgroupEnv): Promise<CgroupManager> {
  const root = env.root ?? DEFAULT_CGROUP_ROOT;
  const version = cgroupVersionOf(env.mode ?? detectCgroupMode(root));
  const cgroupPath = join('/', path);
  if (version === 1) {
    return v1Manager(new Map(V1_CONTROLLERS.map((controller) => [controller, cgroupPath])), env, root, `cgroup path ${cgroupPath}`);
  }
  return v2Manager(cgroupPath, root, `cgroup path ${cgroupPath}`);
}
