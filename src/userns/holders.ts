/**
 * When is a range still used? Not when a shim says so: a shim can be killed, a host rebooted,
 * and the partitions and shim groupings sharing the state file know nothing of each other.
 * Each range records the processes that keep it live instead, by an identity the kernel never
 * gives twice: (boot id, pid, start time). A range is free once every holder is gone: the pid
 * is dead, or reused (another start time), or the host booted again (another boot id).
 *
 * Holders are the pod's container init processes, and, while a container is being created and
 * has no init yet, the creating shim daemon itself, for a bounded grace only: a daemon serves
 * other pods too and may live on after a create that failed without releasing.
 */

export interface Holder {
  /** /proc/sys/kernel/random/boot_id of the boot the process runs in */
  boot: string;
  pid: number;
  /** field 22 of /proc/<pid>/stat: clock ticks after boot, unique per pid within one boot */
  start: string;
  /** a container init; 'creating': the shim daemon creating `container` */
  role: 'init' | 'creating';
  /** the container (namespace/id) the holder is, or creates */
  container?: string;
  /** a creating holder holds no later than this (ISO time) */
  until?: string;
}

/** What the host says now, as liveness needs it. */
export interface LivenessFacts {
  bootId: string;
  /** the start time of the live process `pid`, undefined when there is none */
  startTime(pid: number): string | undefined;
  now: Date;
}

export function holderLive(holder: Holder, facts: LivenessFacts): boolean {
  if (holder.boot !== facts.bootId) return false;
  if (holder.until !== undefined && !(Date.parse(holder.until) > facts.now.getTime())) return false;
  return facts.startTime(holder.pid) === holder.start;
}

export interface HeldRange {
  holders?: Holder[];
}

export interface Collection<R> {
  /** ranges none of whose holders lives: free again */
  freed: R[];
  /** true when a kept range lost dead holders, so the state changed */
  pruned: boolean;
}

/**
 * Splits `ranges` in place into those still held (dead holders dropped) and those freed.
 * A range without a holder list is left as it is: its holders are found elsewhere
 * (legacy-ranges.ts) before this runs.
 */
export function collectRanges<R extends HeldRange>(ranges: R[], facts: LivenessFacts): Collection<R> {
  const freed: R[] = [];
  let pruned = false;
  for (let i = ranges.length - 1; i >= 0; i--) {
    const range = ranges[i];
    if (range.holders === undefined) continue;
    const live = range.holders.filter((h) => holderLive(h, facts));
    if (live.length === 0) {
      freed.unshift(range);
      ranges.splice(i, 1);
    } else if (live.length !== range.holders.length) {
      range.holders = live;
      pruned = true;
    }
  }
  return { freed, pruned };
}

/** True when some live daemon is creating a container on the range: its view may not be in use yet. */
export function creatingOn(range: HeldRange, facts: LivenessFacts): boolean {
  return (range.holders ?? []).some((h) => h.role === 'creating' && holderLive(h, facts));
}
