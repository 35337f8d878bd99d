/** cgroup v1 `cpu` (throttling) and `cpuacct` (usage) into CPUStat, as containerd's cpu.go and cpuacct.go. */
import { join } from 'node:path';
import { readFlatKeyed, readSingle, readText } from './cgroupfs';
import type { V1CPUStat, V1CPUUsage, V1Throttle } from './metrics';
import { parseUint, toUint64 } from './uint64';

/**
 * cpuacct.stat counts USER_HZ ticks. containerd hard-codes 100 (the value of
 * sysconf(_SC_CLK_TCK) on every Linux) rather than calling sysconf.
 */
const CLOCK_TICKS = 100n;
const NS_PER_SECOND = 1_000_000_000n;

async function readUsage(dir: string): Promise<V1CPUUsage | undefined> {
  const [total, perCpuText, stat] = await Promise.all([
    readSingle(join(dir, 'cpuacct.usage'), 0n),
    readText(join(dir, 'cpuacct.usage_percpu')),
    readFlatKeyed(join(dir, 'cpuacct.stat')),
  ]);
  if (total === undefined) return undefined;
  const ticksToNs = (ticks: bigint | undefined) => toUint64(((ticks ?? 0n) * NS_PER_SECOND) / CLOCK_TICKS);
  const perCpu = (perCpuText ?? '')
    .split(/\s+/)
    .filter((field) => field !== '')
    .map((field) => toUint64(parseUint(field) ?? 0n));
  return {
    total: toUint64(total),
    kernel: ticksToNs(stat?.get('system')),
    user: ticksToNs(stat?.get('user')),
    perCpu,
  };
}

async function readThrottle(dir: string): Promise<V1Throttle | undefined> {
  const stat = await readFlatKeyed(join(dir, 'cpu.stat'));
  if (stat === undefined) return undefined;
  return {
    periods: toUint64(stat.get('nr_periods') ?? 0n),
    throttledPeriods: toUint64(stat.get('nr_throttled') ?? 0n),
    throttledTime: toUint64(stat.get('throttled_time') ?? 0n),
  };
}

/**
 * Present when either controller is; like containerd (which pre-allocates
 * both halves) the half whose controller is missing is all zeros.
 */
export async function readV1Cpu(cpuDir: string | undefined, cpuacctDir: string | undefined): Promise<V1CPUStat | undefined> {
  const [usage, throttling] = await Promise.all([
    cpuacctDir === undefined ? undefined : readUsage(cpuacctDir),
    cpuDir === undefined ? undefined : readThrottle(cpuDir),
  ]);
  if (usage === undefined && throttling === undefined) return undefined;
  return {
    usage: usage ?? { total: 0, kernel: 0, user: 0, perCpu: [] },
    throttling: throttling ?? { periods: 0, throttledPeriods: 0, throttledTime: 0 },
  };
}
