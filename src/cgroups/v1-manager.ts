/** CgroupManager over cgroup v1: one directory per controller hierarchy. */
import { join } from 'node:path';
import { NotFoundError } from '../errors';
import type { FdWatch } from '../sys/sys';
import type { CgroupManager, OomSys } from './cgroup-manager';
import { readCgroupProcs } from './cgroup-procs';
import { readFlatKeyed } from './cgroupfs';
import { hugePageSizes } from './hugetlb-sizes';
import { V1_METRICS_TYPE_URL, type CgroupStats } from './metrics';
import { V1_CONTROLLERS, readV1Metrics, type V1Dirs } from './v1-stats';
import { watchV1Oom } from './v1-oom';

/** Which hierarchy's cgroup.procs lists the container's processes: memory first (see CgroupManager.pids). */
const PROCS_ORDER = ['memory', 'pids', 'cpuacct', 'cpu', 'blkio', 'hugetlb'] as const;

export class CgroupV1Manager implements CgroupManager {
  readonly version = 1 as const;
  private hugetlbSizes?: string[];

  /** `dirs`: the cgroup's absolute directory in each controller hierarchy it is in. */
  constructor(
    readonly dirs: V1Dirs,
    private readonly procRoot: string,
    private readonly sys: OomSys,
  ) {}

  async stats(): Promise<CgroupStats> {
    const metrics = await readV1Metrics(this.dirs, this.procRoot, (dir) => this.pageSizes(dir));
    // With every controller's files gone the cgroup is gone, as containerd's ErrCgroupDeleted.
    if (Object.keys(metrics).length === 0) throw new NotFoundError(`cgroup ${this.describe()} not found`);
    return { typeUrl: V1_METRICS_TYPE_URL, metrics };
  }

  pids(): Promise<number[]> {
    const controller = PROCS_ORDER.find((name) => this.dirs[name] !== undefined);
    if (controller === undefined) return Promise.reject(new NotFoundError(`cgroup ${this.describe()} not found`));
    return readCgroupProcs(this.dirs[controller]!);
  }

  async oomKillCount(): Promise<number> {
    if (this.dirs.memory === undefined) return 0;
    const control = await readFlatKeyed(join(this.dirs.memory, 'memory.oom_control'));
    return Number(control?.get('oom_kill') ?? 0n);
  }

  watchOom(onOom: () => void): Promise<FdWatch> {
    if (this.dirs.memory === undefined) {
      return Promise.reject(new NotFoundError(`cgroup ${this.describe()} has no memory controller`));
    }
    return watchV1Oom(this.dirs.memory, this.sys, onOom);
  }

  /** Huge page sizes do not change while the host runs: listed once. */
  private async pageSizes(dir: string): Promise<string[] | undefined> {
    this.hugetlbSizes ??= await hugePageSizes(dir, 'usage_in_bytes');
    return this.hugetlbSizes;
  }

  private describe(): string {
    return V1_CONTROLLERS.map((name) => this.dirs[name])
      .filter((dir) => dir !== undefined)
      .join(', ');
  }
}
