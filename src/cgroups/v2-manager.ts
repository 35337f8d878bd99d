/** CgroupManager over the cgroup v2 unified hierarchy: one directory. */
import { join } from 'node:path';
import type { FdWatch } from '../sys/sys';
import type { CgroupManager } from './cgroup-manager';
import { readCgroupProcs } from './cgroup-procs';
import { readFlatKeyed } from './cgroupfs';
import { hugePageSizes } from './hugetlb-sizes';
import { V2_METRICS_TYPE_URL, type CgroupStats } from './metrics';
import { readV2Metrics } from './v2-stats';
import { watchV2Oom } from './v2-oom';

export class CgroupV2Manager implements CgroupManager {
  readonly version = 2 as const;
  private hugetlbSizes?: string[];

  /** `dir`: the cgroup's absolute directory, e.g. /sys/fs/cgroup/kubepods/pod1/ctr. */
  constructor(readonly dir: string) {}

  async stats(): Promise<CgroupStats> {
    return { typeUrl: V2_METRICS_TYPE_URL, metrics: await readV2Metrics(this.dir, await this.pageSizes()) };
  }

  pids(): Promise<number[]> {
    return readCgroupProcs(this.dir);
  }

  async oomKillCount(): Promise<number> {
    const events = await readFlatKeyed(join(this.dir, 'memory.events'));
    return Number(events?.get('oom_kill') ?? 0n);
  }

  watchOom(onOom: () => void): Promise<FdWatch> {
    return watchV2Oom(this.dir, onOom);
  }

  /** Huge page sizes do not change while the host runs: listed once (none when hugetlb is not enabled here). */
  private async pageSizes(): Promise<string[]> {
    this.hugetlbSizes ??= (await hugePageSizes(this.dir, 'current')) ?? [];
    return this.hugetlbSizes;
  }
}
