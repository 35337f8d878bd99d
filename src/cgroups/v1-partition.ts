/**
 * A partition's cgroup on cgroup v1: the same path in each controller hierarchy. The
 * cpuset hierarchy is the fussy one: a cpuset cgroup takes no task until its cpus and
 * mems are set, so every level made here gets its parent's, and the partition sets
 * cgroup.clone_children so the pod cgroups made below it start with its own.
 */
import { existsSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { FailedPreconditionError, NotFoundError } from '../errors';
import { childCgroups, killUntilEmpty, procsOf, removeBottomUp, sigkillEach } from './cgroup-tree';
import { makeDir, readTrimmed, writeValue } from './cgroupfs-write';
import { PODS_CGROUP, SYSTEM_LEAF, checkCgroupPath, podCgroupsOf, describeOccupancy, type CgroupLimits, type CgroupOccupancy, type PartitionCgroupInfo, type PartitionCgroups } from './partition-cgroup';

/** Hierarchies a partition gets a directory in; the first four hold its limits. */
const REQUIRED = ['cpuset', 'cpu', 'memory', 'pids'] as const;
const MADE = [...REQUIRED, 'cpuacct', 'blkio'] as const;

/** Proportional, so each version's default maps to the other's: weight 100 <-> shares 1024. */
export function weightToShares(weight: number): number {
  return Math.min(262144, Math.max(2, Math.round((weight * 1024) / 100)));
}

/** io.weight default 100 <-> blkio.weight default 500 (range 10..1000). */
export function ioWeightToBlkio(weight: number): number {
  return Math.min(1000, Math.max(10, Math.round(weight * 5)));
}

export class V1PartitionCgroups implements PartitionCgroups {
  readonly version = 1 as const;

  constructor(private readonly root: string) {}

  async create(path: string, limits: CgroupLimits): Promise<PartitionCgroupInfo> {
    const segments = checkCgroupPath(path);
    const notes: string[] = [];
    const mounted = MADE.filter((c) => existsSync(join(this.root, c, 'cgroup.procs')));
    const missing = REQUIRED.filter((c) => !mounted.includes(c));
    if (missing.length > 0) throw new FailedPreconditionError(`cgroups: no v1 ${missing.join(', ')} hierarchy under ${this.root}; a partition needs ${REQUIRED.join(', ')}`);

    for (const controller of mounted) {
      let dir = join(this.root, controller);
      for (const segment of segments) {
        const parent = dir;
        dir = join(dir, segment);
        await makeDir(dir);
        if (controller === 'cpuset') await inheritCpuset(parent, dir);
        if (controller === 'memory') await useHierarchy(dir);
      }
    }
    const dir = (controller: string) => join(this.root, controller, ...segments);
    await writeValue(join(dir('cpuset'), 'cpuset.cpus'), limits.cpus);
    await writeValue(join(dir('cpuset'), 'cpuset.mems'), limits.mems);
    await writeValue(join(dir('cpuset'), 'cgroup.clone_children'), '1');
    await writeValue(join(dir('memory'), 'memory.limit_in_bytes'), String(limits.memoryMax));
    // v1's nearest to memory.high: the target reclaim pushes the cgroup back to under pressure.
    await writeValue(join(dir('memory'), 'memory.soft_limit_in_bytes'), String(limits.memoryHigh));
    await writeValue(join(dir('pids'), 'pids.max'), String(limits.pidsMax));
    await writeValue(join(dir('cpu'), 'cpu.shares'), String(weightToShares(limits.cpuWeight)));
    if (!mounted.includes('blkio')) notes.push('io: no blkio hierarchy, io weight not set');
    else if (existsSync(join(dir('blkio'), 'blkio.weight'))) await writeValue(join(dir('blkio'), 'blkio.weight'), String(ioWeightToBlkio(limits.ioWeight)));
    else if (existsSync(join(dir('blkio'), 'blkio.bfq.weight'))) await writeValue(join(dir('blkio'), 'blkio.bfq.weight'), String(Math.min(1000, limits.ioWeight)));
    else notes.push('io: no blkio weight file (needs the CFQ or BFQ scheduler), disks are shared unweighted');

    const systemProcs: string[] = [];
    for (const controller of mounted) {
      for (const child of [SYSTEM_LEAF, PODS_CGROUP]) {
        await makeDir(join(dir(controller), child));
        if (controller === 'cpuset') await inheritCpuset(dir(controller), join(dir(controller), child));
      }
      systemProcs.push(join(dir(controller), SYSTEM_LEAF, 'cgroup.procs'));
    }
    const pods = (controller: string) => join(dir(controller), PODS_CGROUP);
    await writeValue(join(pods('cpuset'), 'cgroup.clone_children'), '1');
    await writeValue(join(pods('memory'), 'memory.limit_in_bytes'), String(limits.pods.memoryMax));
    await writeValue(join(pods('pids'), 'pids.max'), String(limits.pods.pidsMax));
    return { version: 1, systemProcs, notes };
  }

  async exists(path: string): Promise<boolean> {
    const segments = checkCgroupPath(path);
    return REQUIRED.some((c) => existsSync(join(this.root, c, ...segments)));
  }

  async occupancy(path: string): Promise<CgroupOccupancy> {
    const dirs = await this.dirsOf(path);
    if (dirs.length === 0) throw new NotFoundError(`cgroups: no partition cgroup ${path} in any v1 hierarchy under ${this.root}`);
    const pids = new Set<number>();
    const children = new Set<string>();
    for (const dir of dirs) {
      for (const pid of await procsOf(dir)) pids.add(pid);
      for (const child of podCgroupsOf(await childCgroups(dir), await childCgroups(join(dir, PODS_CGROUP)))) children.add(child);
    }
    return { pids: [...pids].sort((a, b) => a - b), children: [...children].sort() };
  }

  async remove(path: string, options: { force: boolean }): Promise<void> {
    const dirs = await this.dirsOf(path);
    if (dirs.length === 0) return;
    const occupancy = await this.occupancy(path);
    if (!options.force && (occupancy.pids.length > 0 || occupancy.children.length > 0)) {
      throw new FailedPreconditionError(`cgroups: partition ${path} still has ${describeOccupancy(occupancy)}`);
    }
    await killUntilEmpty(async () => (await this.occupancy(path)).pids, sigkillEach, `partition ${path}`);
    for (const dir of dirs) await removeBottomUp(dir);
  }

  /**
   * The partition's directory in every hierarchy that has it, not only those made here:
   * runc makes each container's path in all of them (freezer, devices, the named
   * systemd one, and the unified one on a hybrid host).
   */
  private async dirsOf(path: string): Promise<string[]> {
    const segments = checkCgroupPath(path);
    const seen = new Set<string>();
    const dirs: string[] = [];
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      const hierarchy = join(this.root, name);
      if (!existsSync(join(hierarchy, 'cgroup.procs'))) continue;
      // cpu and cpuacct are often one hierarchy under two names (symlinks to cpu,cpuacct).
      const real = await realpath(hierarchy);
      if (seen.has(real)) continue;
      seen.add(real);
      const dir = join(hierarchy, ...segments);
      if (existsSync(dir)) dirs.push(dir);
    }
    return dirs;
  }
}

/** A new cpuset cgroup starts empty (unless its parent clones): give it the parent's cpus and mems. */
async function inheritCpuset(parent: string, dir: string): Promise<void> {
  for (const file of ['cpuset.cpus', 'cpuset.mems']) {
    if ((await readTrimmed(join(dir, file))) === '') await writeValue(join(dir, file), await readTrimmed(join(parent, file)));
  }
}

/** Children must count against the partition's limit (always so on newer kernels; set where it is not). */
async function useHierarchy(dir: string): Promise<void> {
  if ((await readTrimmed(join(dir, 'memory.use_hierarchy'))) !== '1') await writeValue(join(dir, 'memory.use_hierarchy'), '1');
}
