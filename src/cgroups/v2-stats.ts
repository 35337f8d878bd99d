/**
 * One cgroup v2 Metrics from a cgroup directory, as containerd's cgroup2
 * Manager.Stat. Where containerd always fills a section, this leaves it out
 * when the controller's files are not there; inside a section, missing
 * single-value files read as 0 and "max" as 2^64-1, as in containerd.
 */
import { join } from 'node:path';
import { NotFoundError } from '../errors';
import { readFlatKeyed, readSingle, readText } from './cgroupfs';
import type { V2HugeTlbStat, V2MemoryCounters, V2Metrics } from './metrics';
import { MAX_UINT64, toUint64 } from './uint64';
import { parseIoStat } from './v2-io';
import { readPsi } from './v2-psi';

/** MemoryStat field <- memory.stat key, in proto field order. */
const COUNTERS: { readonly [K in keyof V2MemoryCounters]: string } = {
  anon: 'anon',
  file: 'file',
  kernelStack: 'kernel_stack',
  slab: 'slab',
  sock: 'sock',
  shmem: 'shmem',
  fileMapped: 'file_mapped',
  fileDirty: 'file_dirty',
  fileWriteback: 'file_writeback',
  anonThp: 'anon_thp',
  inactiveAnon: 'inactive_anon',
  activeAnon: 'active_anon',
  inactiveFile: 'inactive_file',
  activeFile: 'active_file',
  unevictable: 'unevictable',
  slabReclaimable: 'slab_reclaimable',
  slabUnreclaimable: 'slab_unreclaimable',
  pgfault: 'pgfault',
  pgmajfault: 'pgmajfault',
  workingsetRefault: 'workingset_refault',
  workingsetActivate: 'workingset_activate',
  workingsetNodereclaim: 'workingset_nodereclaim',
  pgrefill: 'pgrefill',
  pgscan: 'pgscan',
  pgsteal: 'pgsteal',
  pgactivate: 'pgactivate',
  pgdeactivate: 'pgdeactivate',
  pglazyfree: 'pglazyfree',
  pglazyfreed: 'pglazyfreed',
  thpFaultAlloc: 'thp_fault_alloc',
  thpCollapseAlloc: 'thp_collapse_alloc',
};

const value = (read: bigint | undefined) => toUint64(read ?? 0n);

async function readHugetlb(dir: string, sizes: string[]): Promise<V2HugeTlbStat[]> {
  return Promise.all(
    sizes.map(async (pagesize) => {
      const [current, max] = await Promise.all([
        readSingle(join(dir, `hugetlb.${pagesize}.current`), MAX_UINT64),
        readSingle(join(dir, `hugetlb.${pagesize}.max`), MAX_UINT64),
      ]);
      return { current: value(current), max: value(max), pagesize };
    }),
  );
}

/** Every cgroup v2 directory has cpu.stat, so its absence means the cgroup is gone: NotFound. */
export async function readV2Metrics(dir: string, hugePageSizes: string[]): Promise<V2Metrics> {
  const file = (name: string) => join(dir, name);
  const single = (name: string) => readSingle(file(name), MAX_UINT64);
  const [cpuStat, cpuPsi, memoryStat, memoryNumbers, memoryPsi, memoryEvents, pidsCurrent, pidsMax, ioStat, ioPsi, hugetlb] =
    await Promise.all([
      readFlatKeyed(file('cpu.stat')),
      readPsi(file('cpu.pressure')),
      readFlatKeyed(file('memory.stat')),
      Promise.all(
        ['memory.current', 'memory.max', 'memory.swap.current', 'memory.swap.max', 'memory.peak', 'memory.swap.peak'].map(single),
      ),
      readPsi(file('memory.pressure')),
      readFlatKeyed(file('memory.events')),
      single('pids.current'),
      single('pids.max'),
      readText(file('io.stat')),
      readPsi(file('io.pressure')),
      readHugetlb(dir, hugePageSizes),
    ]);
  if (cpuStat === undefined) throw new NotFoundError(`cgroup ${dir} not found`);

  const metrics: V2Metrics = {};
  if (pidsCurrent !== undefined) metrics.pids = { current: value(pidsCurrent), limit: value(pidsMax) };
  metrics.cpu = {
    usageUsec: value(cpuStat.get('usage_usec')),
    userUsec: value(cpuStat.get('user_usec')),
    systemUsec: value(cpuStat.get('system_usec')),
    nrPeriods: value(cpuStat.get('nr_periods')),
    nrThrottled: value(cpuStat.get('nr_throttled')),
    throttledUsec: value(cpuStat.get('throttled_usec')),
  };
  if (cpuPsi) metrics.cpu.psi = cpuPsi;
  if (memoryStat !== undefined) {
    const counters = {} as Record<keyof V2MemoryCounters, number | string>;
    for (const [field, key] of Object.entries(COUNTERS) as [keyof V2MemoryCounters, string][]) {
      counters[field] = value(memoryStat.get(key));
    }
    const [usage, usageLimit, swapUsage, swapLimit, maxUsage, swapMaxUsage] = memoryNumbers.map(value);
    metrics.memory = { ...counters, usage, usageLimit, swapUsage, swapLimit, maxUsage, swapMaxUsage };
    if (memoryPsi) metrics.memory.psi = memoryPsi;
  }
  if (ioStat !== undefined) {
    metrics.io = { usage: parseIoStat(ioStat) };
    if (ioPsi) metrics.io.psi = ioPsi;
  }
  if (hugetlb.length > 0) metrics.hugetlb = hugetlb;
  if (memoryEvents !== undefined) {
    metrics.memoryEvents = {
      low: value(memoryEvents.get('low')),
      high: value(memoryEvents.get('high')),
      max: value(memoryEvents.get('max')),
      oom: value(memoryEvents.get('oom')),
      oomKill: value(memoryEvents.get('oom_kill')),
    };
  }
  return metrics;
}
