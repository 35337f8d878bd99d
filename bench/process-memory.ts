/**
 * Which processes are the shims of one containerd, and what they cost. A shim is any process
 * whose argv carries `-address <that containerd's socket>` (ctr spells it `--address`), plus
 * its descendants outside the containers' cgroups (helpers a shim may keep).
 */
import { readdirSync, readFileSync } from 'node:fs';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

interface Proc {
  pid: number;
  ppid: number;
  argv: string[];
  cgroup: string;
  zombie: boolean;
}

function listProcs(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    // The command name in parentheses may contain spaces: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length < 2) continue;
    out.push({
      pid: Number(name),
      ppid: Number(fields[1]),
      argv: read(`/proc/${name}/cmdline`).split('\0').filter(Boolean),
      cgroup: read(`/proc/${name}/cgroup`),
      zombie: fields[0] === 'Z',
    });
  }
  return out;
}

/** Live shim processes of the containerd listening on address, whose containers live in namespace. */
export function shimPids(address: string, namespace: string): number[] {
  const procs = listProcs().filter((p) => !p.zombie);
  const shims = new Set(procs.filter((p) => p.argv.some((a, i) => a === '-address' && p.argv[i + 1] === address)).map((p) => p.pid));
  const inContainer = (p: Proc): boolean => p.cgroup.includes(`:/${namespace}/`);
  // Descendants, to a fixed point: a helper's helper counts too.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!shims.has(p.pid) && shims.has(p.ppid) && !inContainer(p)) {
        shims.add(p.pid);
        grew = true;
      }
    }
  }
  return [...shims];
}

function kib(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Proportional set size: shared pages divided among the processes sharing them. */
export function pssKiB(pid: number): number {
  return kib(read(`/proc/${pid}/smaps_rollup`), 'Pss');
}

export function rssKiB(pid: number): number {
  return kib(read(`/proc/${pid}/status`), 'VmRSS');
}

/** The containerd daemon started with this config file. */
export function containerdPid(configPath: string): number | undefined {
  return listProcs().find((p) => p.argv.includes('--config') && p.argv.includes(configPath))?.pid;
}
