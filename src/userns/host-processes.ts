/**
 * The few /proc facts the allocator and the view sweep read, as a port: unit tests give a
 * table instead of a host. Every read tolerates a process exiting meanwhile (undefined).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IdMapping } from '../sys/sys';

export interface ProcStat {
  ppid: number;
  /** field 22: start time in clock ticks after boot */
  start: string;
}

export interface HostProcesses {
  bootId(): string;
  selfPid(): number;
  stat(pid: number): ProcStat | undefined;
  /** every pid on the host */
  pids(): number[];
  /** the user namespace mapping of the process, in host ids */
  uidMap(pid: number): IdMapping[] | undefined;
  /** "dev:ino" of the process's root directory */
  root(pid: number): string | undefined;
}

/** Fields after the command name, which may itself hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): field n is fields[n - 3]
  const ppid = Number(fields[1]);
  const start = fields[19];
  if (!Number.isSafeInteger(ppid) || start === undefined || !/^\d+$/.test(start)) return undefined;
  return { ppid, start };
}

export function parseIdMap(text: string): IdMapping[] {
  const out: IdMapping[] = [];
  for (const line of text.split('\n')) {
    const [containerID, hostID, size] = line.trim().split(/\s+/).map(Number);
    if (Number.isSafeInteger(containerID) && Number.isSafeInteger(hostID) && Number.isSafeInteger(size)) out.push({ containerID, hostID, size });
  }
  return out;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function procHostProcesses(procRoot = '/proc'): HostProcesses {
  let bootId: string | undefined;
  return {
    bootId: () => (bootId ??= (read(`${procRoot}/sys/kernel/random/boot_id`) ?? '').trim()),
    selfPid: () => process.pid,
    stat: (pid) => {
      const text = read(`${procRoot}/${pid}/stat`);
      return text === undefined ? undefined : parseProcStat(text);
    },
    pids: () => readdirSync(procRoot).filter((n) => /^\d+$/.test(n)).map(Number),
    uidMap: (pid) => {
      const text = read(`${procRoot}/${pid}/uid_map`);
      return text === undefined ? undefined : parseIdMap(text);
    },
    root: (pid) => {
      try {
        const st = statSync(`${procRoot}/${pid}/root`);
        return `${st.dev}:${st.ino}`;
      } catch {
        return undefined;
      }
    },
  };
}
