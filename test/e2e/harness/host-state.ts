import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unescapeMountPath } from './scratch';

/** Where containerd's clients and the runc shim put host-wide files, whatever containerd's --state. */
export const shimSocketDir = '/run/containerd/s';
export const fifoDir = '/run/containerd/fifo';
export const runcStateDir = '/run/containerd/runc';
export const cgroupRoot = '/sys/fs/cgroup';
/** Where our shim mounts idmapped rootfs views: <dir>/<namespace>/<container> (src/task/sandboxing.ts). */
export const idmappedViewDir = '/run/metassembly/rootfs';
/** Where a shim stages each pod's sysfs (src/task/pod-network-host.ts): <dir>/<namespace>/<pod>/sys. */
export const stagedSysfsDir = '/run/metassembly/sysfs';
/** The host-wide user-namespace allocator state, shared with every other run: only read here. */
export const usernsStatePath = '/var/lib/metassembly/userns.json';

/** Pods holding a user-namespace range, as "partition pod" (the allocator names pods "<namespace>/<id>"). */
export function listUsernsPods(): Array<{ partition: string; pod: string }> {
  try {
    const state = JSON.parse(readFileSync(usernsStatePath, 'utf8')) as { ranges?: Array<{ owner?: { partition?: string; pod?: string } }> };
    return (state.ranges ?? []).map((r) => ({ partition: String(r.owner?.partition), pod: String(r.owner?.pod) }));
  } catch {
    return [];
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface ProcessInfo {
  pid: number;
  cmdline: string;
  cgroups: string;
}

export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of safeList('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = safeRead(`/proc/${name}/cmdline`).replace(/\0/g, ' ').trim();
    if (!cmdline) continue; // kernel thread, or exited meanwhile
    out.push({ pid: Number(name), cmdline, cgroups: safeRead(`/proc/${name}/cgroup`) });
  }
  return out;
}

export function listMountPoints(): string[] {
  return safeRead('/proc/self/mountinfo')
    .split('\n')
    .filter(Boolean)
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''));
}

/**
 * Every cgroup directory on the host: the v1 controller hierarchies, their named and unified
 * companions, or the single v2 tree.
 */
export function listCgroupDirs(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const name of safeList(dir)) {
      const path = join(dir, name);
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        continue;
      }
      if (!isDir) continue;
      out.push(path);
      if (depth < 8) walk(path, depth + 1);
    }
  };
  const v2 = safeList(cgroupRoot).includes('cgroup.controllers');
  if (v2) walk(cgroupRoot, 1);
  else for (const h of safeList(cgroupRoot)) walk(join(cgroupRoot, h), 1);
  return out;
}

/** Entries of a directory, as absolute paths, one level deep (or two when nested). */
export function listEntries(dir: string, nested = false): string[] {
  const out: string[] = [];
  for (const name of safeList(dir)) {
    const path = join(dir, name);
    out.push(path);
    if (nested) for (const inner of safeList(path)) out.push(join(path, inner));
  }
  return out;
}

/**
 * pid -> the paths of the fifos, files and unix sockets it holds open. Sockets show in
 * /proc/<pid>/fd as socket:[inode]; /proc/net/unix maps the inode to the bound path.
 */
export function openPathsByPid(): Map<number, Set<string>> {
  const socketPath = new Map<string, string>();
  for (const line of safeRead('/proc/net/unix').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[7]!.startsWith('/')) socketPath.set(f[6]!, f[7]!);
  }
  const out = new Map<number, Set<string>>();
  for (const name of safeList('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const held = new Set<string>();
    for (const fd of safeList(`/proc/${name}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${name}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      const path = m ? socketPath.get(m[1]!) : target;
      if (path?.startsWith('/')) held.add(path);
    }
    if (held.size > 0) out.set(Number(name), held);
  }
  return out;
}
