/** cgroup v1 `memory` into MemoryStat and MemoryOomControl, as containerd's memory.go. */
import { join } from 'node:path';
import { readFlatKeyed, readSingle } from './cgroupfs';
import type { V1MemoryCounters, V1MemoryEntry, V1MemoryOomControl, V1MemoryStat } from './metrics';
import { toUint64 } from './uint64';

/** MemoryStat field <- memory.stat key, in proto field order. */
const COUNTERS: { readonly [K in keyof V1MemoryCounters]: string } = {
  cache: 'cache',
  rss: 'rss',
  rssHuge: 'rss_huge',
  mappedFile: 'mapped_file',
  dirty: 'dirty',
  writeback: 'writeback',
  pgPgIn: 'pgpgin',
  pgPgOut: 'pgpgout',
  pgFault: 'pgfault',
  pgMajFault: 'pgmajfault',
  inactiveAnon: 'inactive_anon',
  activeAnon: 'active_anon',
  inactiveFile: 'inactive_file',
  activeFile: 'active_file',
  unevictable: 'unevictable',
  hierarchicalMemoryLimit: 'hierarchical_memory_limit',
  hierarchicalSwapLimit: 'hierarchical_memsw_limit',
  totalCache: 'total_cache',
  totalRss: 'total_rss',
  totalRssHuge: 'total_rss_huge',
  totalMappedFile: 'total_mapped_file',
  totalDirty: 'total_dirty',
  totalWriteback: 'total_writeback',
  totalPgPgIn: 'total_pgpgin',
  totalPgPgOut: 'total_pgpgout',
  totalPgFault: 'total_pgfault',
  totalPgMajFault: 'total_pgmajfault',
  totalInactiveAnon: 'total_inactive_anon',
  totalActiveAnon: 'total_active_anon',
  totalInactiveFile: 'total_inactive_file',
  totalActiveFile: 'total_active_file',
  totalUnevictable: 'total_unevictable',
};

/** MemoryStat entry field <- the memory.<module>. prefix of its files. */
const ENTRIES = { usage: 'memory.', swap: 'memory.memsw.', kernel: 'memory.kmem.', kernelTcp: 'memory.kmem.tcp.' } as const;

/** One MemoryEntry; absent when its module is (memsw without swap accounting). */
async function readEntry(dir: string, prefix: string): Promise<V1MemoryEntry | undefined> {
  const [limit, usage, max, failcnt] = await Promise.all(
    ['limit_in_bytes', 'usage_in_bytes', 'max_usage_in_bytes', 'failcnt'].map((name) =>
      readSingle(join(dir, prefix + name), 0n),
    ),
  );
  if (usage === undefined) return undefined;
  return { limit: toUint64(limit ?? 0n), usage: toUint64(usage), max: toUint64(max ?? 0n), failcnt: toUint64(failcnt ?? 0n) };
}

export async function readV1Memory(dir: string): Promise<V1MemoryStat | undefined> {
  const [stat, usage, swap, kernel, kernelTcp] = await Promise.all([
    readFlatKeyed(join(dir, 'memory.stat')),
    readEntry(dir, ENTRIES.usage),
    readEntry(dir, ENTRIES.swap),
    readEntry(dir, ENTRIES.kernel),
    readEntry(dir, ENTRIES.kernelTcp),
  ]);
  if (stat === undefined) return undefined;
  const counters = {} as Record<keyof V1MemoryCounters, number | string>;
  for (const [field, key] of Object.entries(COUNTERS) as [keyof V1MemoryCounters, string][]) {
    counters[field] = toUint64(stat.get(key) ?? 0n);
  }
  const memory: V1MemoryStat = counters;
  if (usage) memory.usage = usage;
  if (swap) memory.swap = swap;
  if (kernel) memory.kernel = kernel;
  if (kernelTcp) memory.kernelTcp = kernelTcp;
  return memory;
}

export async function readV1OomControl(dir: string): Promise<V1MemoryOomControl | undefined> {
  const control = await readFlatKeyed(join(dir, 'memory.oom_control'));
  if (control === undefined) return undefined;
  return {
    oomKillDisable: toUint64(control.get('oom_kill_disable') ?? 0n),
    underOom: toUint64(control.get('under_oom') ?? 0n),
    oomKill: toUint64(control.get('oom_kill') ?? 0n),
  };
}
