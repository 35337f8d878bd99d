/**
 * A partition's cgroup on the v2 unified hierarchy. Controllers are enabled top-down
 * (a controller can only be enabled in a cgroup's subtree_control when its parent
 * delegates it), and the partition itself delegates them to its pods.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FailedPreconditionError, NotFoundError } from '../errors';
import { childCgroups, killUntilEmpty, procsOf, removeBottomUp, sigkillEach } from './cgroup-tree';
import { makeDir, readTrimmed, writeValue } from './cgroupfs-write';
import { PODS_CGROUP, SYSTEM_LEAF, checkCgroupPath, podCgroupsOf, describeOccupancy, type CgroupLimits, type CgroupOccupancy, type PartitionCgroupInfo, type PartitionCgroups } from './partition-cgroup';

/** What a partition must be able to limit; io is wanted but a kernel may lack it. */
const REQUIRED = ['cpuset', 'cpu', 'memory', 'pids'] as const;
const WANTED = ['cpuset', 'cpu', 'io', 'memory', 'pids'] as const;

export class V2PartitionCgroups implements PartitionCgroups {
  readonly version = 2 as const;

  constructor(private readonly root: string) {}

  async create(path: string, limits: CgroupLimits): Promise<PartitionCgroupInfo> {
    const segments = checkCgroupPath(path);
    const notes: string[] = [];
    const available = (await readTrimmed(join(this.root, 'cgroup.controllers'))).split(/\s+/);
    const missing = REQUIRED.filter((c) => !available.includes(c));
    if (missing.length > 0) throw new FailedPreconditionError(`cgroups: the v2 root ${this.root} has no ${missing.join(', ')} controller; a partition needs ${REQUIRED.join(', ')}`);
    const controllers = WANTED.filter((c) => available.includes(c));
    if (!controllers.includes('io')) notes.push('io: no io controller, io.weight not set');

    // Root, then each ancestor, then the partition: each delegates to the next level.
    let dir = this.root;
    await this.delegate(dir, controllers);
    for (const segment of segments) {
      dir = join(dir, segment);
      await makeDir(dir);
      await this.delegate(dir, controllers);
    }
    await writeValue(join(dir, 'cpuset.cpus'), limits.cpus);
    await writeValue(join(dir, 'cpuset.mems'), limits.mems);
    await writeValue(join(dir, 'memory.max'), String(limits.memoryMax));
    await writeValue(join(dir, 'memory.high'), String(limits.memoryHigh));
    await writeValue(join(dir, 'pids.max'), String(limits.pidsMax));
    await writeValue(join(dir, 'cpu.weight'), String(limits.cpuWeight));
    if (controllers.includes('io')) {
      // io.weight is iocost's file; a kernel without iocost has the io controller but not the file.
      if (existsSync(join(dir, 'io.weight'))) await writeValue(join(dir, 'io.weight'), `default ${limits.ioWeight}`);
      else notes.push('io: no io.weight (the kernel has no iocost), disks are shared unweighted');
    }
    await makeDir(join(dir, SYSTEM_LEAF));
    const pods = join(dir, PODS_CGROUP);
    await makeDir(pods);
    await this.delegate(pods, controllers);
    await writeValue(join(pods, 'memory.max'), String(limits.pods.memoryMax));
    await writeValue(join(pods, 'pids.max'), String(limits.pods.pidsMax));
    return { version: 2, systemProcs: [join(dir, SYSTEM_LEAF, 'cgroup.procs')], notes };
  }

  /** On cgroupfs every directory is a cgroup. */
  async exists(path: string): Promise<boolean> {
    return existsSync(join(this.root, ...checkCgroupPath(path)));
  }

  async occupancy(path: string): Promise<CgroupOccupancy> {
    const dir = join(this.root, ...checkCgroupPath(path));
    if (!existsSync(dir)) throw new NotFoundError(`cgroups: no partition cgroup ${dir}`);
    return { pids: await procsOf(dir), children: podCgroupsOf(await childCgroups(dir), await childCgroups(join(dir, PODS_CGROUP))) };
  }

  async remove(path: string, options: { force: boolean }): Promise<void> {
    const dir = join(this.root, ...checkCgroupPath(path));
    if (!(await this.exists(path))) return;
    const { pids, children } = await this.occupancy(path);
    if (!options.force && (pids.length > 0 || children.length > 0)) {
      throw new FailedPreconditionError(`cgroups: ${dir} still has ${describeOccupancy({ pids, children })}`);
    }
    const killFile = join(dir, 'cgroup.kill');
    // cgroup.kill (Linux 5.14+) kills the whole subtree at once, forks in flight included.
    const kill = existsSync(killFile) ? () => writeValue(killFile, '1') : sigkillEach;
    await killUntilEmpty(() => procsOf(dir), kill, dir);
    await removeBottomUp(dir);
  }

  /** Adds the controllers `dir`'s subtree_control lacks, in one write. */
  private async delegate(dir: string, controllers: readonly string[]): Promise<void> {
    const enabled = (await readTrimmed(join(dir, 'cgroup.subtree_control'))).split(/\s+/).map((c) => c.replace(/^\+/, ''));
    const add = controllers.filter((c) => !enabled.includes(c));
    if (add.length === 0) return;
    try {
      await writeValue(join(dir, 'cgroup.subtree_control'), add.map((c) => `+${c}`).join(' '));
    } catch (err) {
      // EBUSY: processes sit in `dir` itself, and v2 lets only leaves (and the root) hold them.
      if (((err as Error).cause as NodeJS.ErrnoException | undefined)?.code !== 'EBUSY') throw err;
      throw new FailedPreconditionError(`${(err as Error).message} (a cgroup that delegates controllers may hold no processes: move them to a leaf)`, { cause: err });
    }
  }
}
