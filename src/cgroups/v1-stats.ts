/**
 * One cgroup v1 Metrics from the controller directories a container's cgroup
 * has, as containerd's cgroup1 Stat(IgnoreNotExist): a controller that is not
 * there leaves its part out.
 */
import { join } from 'node:path';
import { readSingle } from './cgroupfs';
import type { V1HugetlbStat, V1Metrics, V1PidsStat } from './metrics';
import { toUint64 } from './uint64';
import { readV1Blkio } from './v1-blkio';
import { readV1Cpu } from './v1-cpu';
import { readV1Memory, readV1OomControl } from './v1-memory';

/** The v1 controllers that feed Metrics. */
export const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'hugetlb'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

/** Absolute directory of the cgroup in each controller hierarchy it is in. */
export type V1Dirs = Partial<Record<V1Controller, string>>;

async function readPids(dir: string): Promise<V1PidsStat | undefined> {
  const [current, limit] = await Promise.all([
    readSingle(join(dir, 'pids.current'), 0n),
    readSingle(join(dir, 'pids.max'), 0n),
  ]);
  if (current === undefined) return undefined;
  return { current: toUint64(current), limit: toUint64(limit ?? 0n) };
}

async function readHugetlb(dir: string, sizes: string[]): Promise<V1HugetlbStat[]> {
  return Promise.all(
    sizes.map(async (pagesize) => {
      const [usage, max, failcnt] = await Promise.all(
        ['usage_in_bytes', 'max_usage_in_bytes', 'failcnt'].map((name) => readSingle(join(dir, `hugetlb.${pagesize}.${name}`), 0n)),
      );
      return { usage: toUint64(usage ?? 0n), max: toUint64(max ?? 0n), failcnt: toUint64(failcnt ?? 0n), pagesize };
    }),
  );
}

/** `hugePageSizes` is asked only when the hugetlb controller is there (the caller caches it). */
export async function readV1Metrics(
  dirs: V1Dirs,
  procRoot: string,
  hugePageSizes: (dir: string) => Promise<string[] | undefined>,
): Promise<V1Metrics> {
  const hugetlbSizes = dirs.hugetlb === undefined ? undefined : await hugePageSizes(dirs.hugetlb);
  const [hugetlb, pids, cpu, memory, blkio, memoryOomControl] = await Promise.all([
    dirs.hugetlb === undefined || hugetlbSizes === undefined ? undefined : readHugetlb(dirs.hugetlb, hugetlbSizes),
    dirs.pids === undefined ? undefined : readPids(dirs.pids),
    readV1Cpu(dirs.cpu, dirs.cpuacct),
    dirs.memory === undefined ? undefined : readV1Memory(dirs.memory),
    dirs.blkio === undefined ? undefined : readV1Blkio(dirs.blkio, procRoot),
    dirs.memory === undefined ? undefined : readV1OomControl(dirs.memory),
  ]);
  const metrics: V1Metrics = {};
  if (hugetlb) metrics.hugetlb = hugetlb;
  if (pids) metrics.pids = pids;
  if (cpu) metrics.cpu = cpu;
  if (memory) metrics.memory = memory;
  if (blkio) metrics.blkio = blkio;
  if (memoryOomControl) metrics.memoryOomControl = memoryOomControl;
  return metrics;
}
