/**
 * Ranges recorded before ranges had holders (or by an older shim still running) say nothing
 * of who uses them. Freeing them could give a live pod's ids to another pod; keeping them
 * forever leaks the pool. So their holders are found on the host, once: the processes running
 * in a user namespace mapped onto the range whose parent runs outside it, i.e. those that
 * entered it (container inits, and execs or daemons reparented to their shim). The range
 * then follows the ordinary rule; none found frees it.
 *
 * A range younger than the create grace is left alone: an older shim may still be creating
 * its first container, which has no process yet.
 */
import type { IdMapping } from '../sys/sys';
import type { Holder } from './holders';
import type { HostProcesses } from './host-processes';

export interface LegacyRange {
  hostID: number;
  size: number;
  allocatedAt: string;
  holders?: Holder[];
}

/** Gives every old-enough range without holders the holders found on the host; true if any changed. */
export function adoptLegacyRanges(ranges: LegacyRange[], host: HostProcesses, now: Date, graceMs: number): boolean {
  const legacy = ranges.filter((r) => r.holders === undefined && !(Date.parse(r.allocatedAt) + graceMs > now.getTime()));
  if (legacy.length === 0) return false;
  const found = new Map<LegacyRange, Holder[]>(legacy.map((r) => [r, []]));
  const rangeOf = (pid: number): LegacyRange | undefined => {
    const map = host.uidMap(pid);
    return map === undefined ? undefined : legacy.find((r) => mapsInto(map, r));
  };
  const boot = host.bootId();
  for (const pid of host.pids()) {
    const range = rangeOf(pid);
    if (range === undefined) continue;
    const stat = host.stat(pid);
    if (stat === undefined || rangeOf(stat.ppid) === range) continue;
    found.get(range)!.push({ boot, pid, start: stat.start, role: 'init' });
  }
  for (const [range, holders] of found) range.holders = holders;
  return true;
}

/** Every line of the map lands inside the range (the host's own namespace maps everything: never). */
function mapsInto(map: IdMapping[], range: { hostID: number; size: number }): boolean {
  return map.length > 0 && map.every((m) => m.hostID >= range.hostID && m.hostID + m.size <= range.hostID + range.size);
}
