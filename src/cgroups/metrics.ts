/**
 * The cgroup metrics the Stats RPC returns, shaped like protobufjs's generated
 * message interfaces for containerd/cgroups' `io.containerd.cgroups.v1.Metrics`
 * (stats/v1/metrics.proto) and `io.containerd.cgroups.v2.Metrics`
 * (cgroup2/stats/metrics.proto): camelCase proto field names, nested messages
 * as plain objects, repeated fields as arrays. A section is absent when its
 * controller is not there (protobufjs then leaves the field unset).
 */

/**
 * A proto uint64. protobufjs encodes a JS number through a double, so values
 * above 2^53 (v1's unlimited 9223372036854771712, v2's "max" = 2^64-1) would
 * be mangled; it encodes a decimal string exactly (Long.fromString), both in
 * `encode` and in `fromObject`. So: a number while it is a safe integer, else
 * the exact decimal string. Never a bigint: protobufjs 8 writes bigints as 0.
 */
export type Uint64 = number | string;

export const V1_METRICS_TYPE_URL = 'io.containerd.cgroups.v1.Metrics';
export const V2_METRICS_TYPE_URL = 'io.containerd.cgroups.v2.Metrics';

/** What `CgroupManager.stats()` returns: the Any's type_url and the message to encode under it. */
export type CgroupStats =
  | { typeUrl: typeof V1_METRICS_TYPE_URL; metrics: V1Metrics }
  | { typeUrl: typeof V2_METRICS_TYPE_URL; metrics: V2Metrics };

// ---- io.containerd.cgroups.v1 ----

export interface V1Metrics {
  hugetlb?: V1HugetlbStat[];
  pids?: V1PidsStat;
  cpu?: V1CPUStat;
  memory?: V1MemoryStat;
  blkio?: V1BlkIOStat;
  memoryOomControl?: V1MemoryOomControl;
}

export interface V1HugetlbStat {
  usage: Uint64;
  max: Uint64;
  failcnt: Uint64;
  /** "2MB", "1GB", as in the hugetlb.<size>.* file names. */
  pagesize: string;
}

export interface V1PidsStat {
  current: Uint64;
  /** 0 when pids.max is "max" (containerd's choice). */
  limit: Uint64;
}

export interface V1CPUStat {
  usage: V1CPUUsage;
  throttling: V1Throttle;
}

/** Nanoseconds. */
export interface V1CPUUsage {
  total: Uint64;
  kernel: Uint64;
  user: Uint64;
  perCpu: Uint64[];
}

export interface V1Throttle {
  periods: Uint64;
  throttledPeriods: Uint64;
  throttledTime: Uint64;
}

/** The memory.stat counters, fields 1–32 of MemoryStat. */
export interface V1MemoryCounters {
  cache: Uint64;
  rss: Uint64;
  rssHuge: Uint64;
  mappedFile: Uint64;
  dirty: Uint64;
  writeback: Uint64;
  pgPgIn: Uint64;
  pgPgOut: Uint64;
  pgFault: Uint64;
  pgMajFault: Uint64;
  inactiveAnon: Uint64;
  activeAnon: Uint64;
  inactiveFile: Uint64;
  activeFile: Uint64;
  unevictable: Uint64;
  hierarchicalMemoryLimit: Uint64;
  hierarchicalSwapLimit: Uint64;
  totalCache: Uint64;
  totalRss: Uint64;
  totalRssHuge: Uint64;
  totalMappedFile: Uint64;
  totalDirty: Uint64;
  totalWriteback: Uint64;
  totalPgPgIn: Uint64;
  totalPgPgOut: Uint64;
  totalPgFault: Uint64;
  totalPgMajFault: Uint64;
  totalInactiveAnon: Uint64;
  totalActiveAnon: Uint64;
  totalInactiveFile: Uint64;
  totalActiveFile: Uint64;
  totalUnevictable: Uint64;
}

export interface V1MemoryStat extends V1MemoryCounters {
  usage?: V1MemoryEntry;
  /** memory.memsw.*; absent when swap accounting is off. */
  swap?: V1MemoryEntry;
  kernel?: V1MemoryEntry;
  kernelTcp?: V1MemoryEntry;
}

export interface V1MemoryEntry {
  limit: Uint64;
  usage: Uint64;
  max: Uint64;
  failcnt: Uint64;
}

export interface V1MemoryOomControl {
  oomKillDisable: Uint64;
  underOom: Uint64;
  oomKill: Uint64;
}

export interface V1BlkIOStat {
  ioServiceBytesRecursive: V1BlkIOEntry[];
  ioServicedRecursive: V1BlkIOEntry[];
  ioQueuedRecursive: V1BlkIOEntry[];
  ioServiceTimeRecursive: V1BlkIOEntry[];
  ioWaitTimeRecursive: V1BlkIOEntry[];
  ioMergedRecursive: V1BlkIOEntry[];
  ioTimeRecursive: V1BlkIOEntry[];
  sectorsRecursive: V1BlkIOEntry[];
}

export interface V1BlkIOEntry {
  /** "Read", "Write", ...; "" for single-value files. */
  op: string;
  /** "/dev/<name>" from /proc/partitions, "" when unknown. */
  device: string;
  major: Uint64;
  minor: Uint64;
  value: Uint64;
}

// ---- io.containerd.cgroups.v2 ----

export interface V2Metrics {
  pids?: V2PidsStat;
  cpu?: V2CPUStat;
  memory?: V2MemoryStat;
  io?: V2IOStat;
  hugetlb?: V2HugeTlbStat[];
  memoryEvents?: V2MemoryEvents;
}

export interface V2PidsStat {
  current: Uint64;
  /** 2^64-1 when pids.max is "max" (containerd's choice). */
  limit: Uint64;
}

export interface V2PSIData {
  avg10: number;
  avg60: number;
  avg300: number;
  total: Uint64;
}

export interface V2PSIStats {
  some?: V2PSIData;
  full?: V2PSIData;
}

export interface V2CPUStat {
  usageUsec: Uint64;
  userUsec: Uint64;
  systemUsec: Uint64;
  nrPeriods: Uint64;
  nrThrottled: Uint64;
  throttledUsec: Uint64;
  psi?: V2PSIStats;
}

/** The memory.stat counters, fields 1–31 of MemoryStat. */
export interface V2MemoryCounters {
  anon: Uint64;
  file: Uint64;
  kernelStack: Uint64;
  slab: Uint64;
  sock: Uint64;
  shmem: Uint64;
  fileMapped: Uint64;
  fileDirty: Uint64;
  fileWriteback: Uint64;
  anonThp: Uint64;
  inactiveAnon: Uint64;
  activeAnon: Uint64;
  inactiveFile: Uint64;
  activeFile: Uint64;
  unevictable: Uint64;
  slabReclaimable: Uint64;
  slabUnreclaimable: Uint64;
  pgfault: Uint64;
  pgmajfault: Uint64;
  workingsetRefault: Uint64;
  workingsetActivate: Uint64;
  workingsetNodereclaim: Uint64;
  pgrefill: Uint64;
  pgscan: Uint64;
  pgsteal: Uint64;
  pgactivate: Uint64;
  pgdeactivate: Uint64;
  pglazyfree: Uint64;
  pglazyfreed: Uint64;
  thpFaultAlloc: Uint64;
  thpCollapseAlloc: Uint64;
}

export interface V2MemoryStat extends V2MemoryCounters {
  usage: Uint64;
  /** 2^64-1 for "max". */
  usageLimit: Uint64;
  swapUsage: Uint64;
  swapLimit: Uint64;
  /** memory.peak (cgroups v3 field 36); 0 on kernels without it. */
  maxUsage: Uint64;
  swapMaxUsage: Uint64;
  psi?: V2PSIStats;
}

export interface V2MemoryEvents {
  low: Uint64;
  high: Uint64;
  max: Uint64;
  oom: Uint64;
  oomKill: Uint64;
}

export interface V2IOStat {
  usage: V2IOEntry[];
  psi?: V2PSIStats;
}

export interface V2IOEntry {
  major: Uint64;
  minor: Uint64;
  rbytes: Uint64;
  wbytes: Uint64;
  rios: Uint64;
  wios: Uint64;
}

export interface V2HugeTlbStat {
  current: Uint64;
  max: Uint64;
  pagesize: string;
}
