/** A host's process table for the allocator and the view sweep, as a plain map tests edit. */
import type { HostProcesses, ProcStat } from '../../../../src/userns/host-processes';
import type { IdMapping } from '../../../../src/sys/sys';

export interface FakeProcess extends ProcStat {
  uidMap?: IdMapping[];
  root?: string;
}

export interface FakeHost extends HostProcesses {
  boot: string;
  self: number;
  table: Map<number, FakeProcess>;
  /** how many times every pid was listed (a /proc scan) */
  scans: number;
}

export function fakeHost(entries: Record<number, FakeProcess> = {}, self = 10): FakeHost {
  const host: FakeHost = {
    boot: 'boot-1',
    self,
    table: new Map(Object.entries({ [self]: { ppid: 1, start: '1000' }, ...entries }).map(([pid, p]) => [Number(pid), p])),
    scans: 0,
    bootId: () => host.boot,
    selfPid: () => host.self,
    stat: (pid) => {
      const p = host.table.get(pid);
      return p && { ppid: p.ppid, start: p.start };
    },
    pids: () => {
      host.scans++;
      return [...host.table.keys()];
    },
    uidMap: (pid) => host.table.get(pid)?.uidMap ?? (host.table.has(pid) ? [{ containerID: 0, hostID: 0, size: 4294967295 }] : undefined),
    root: (pid) => host.table.get(pid)?.root,
  };
  return host;
}
