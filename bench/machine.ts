/** A description of the machine the figures come from, for the report's header. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { MachineInfo } from './results-model';

function firstLine(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim();
  } catch {
    return 'unavailable';
  }
}

function cgroupMode(): string {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return 'v2 (unified)';
  if (existsSync('/sys/fs/cgroup/unified')) return 'v1 (hybrid, cgroup2 at /sys/fs/cgroup/unified)';
  return 'v1 (legacy)';
}

function cpuModel(): string {
  const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return m?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
}

export function describeMachine(shimNode: string, shimDir: string): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    cgroupMode: cgroupMode(),
    benchNode: process.version,
    shimNode: firstLine(shimNode, ['-v']),
    runc: firstLine('runc', ['--version']),
    shim: shimDir,
  };
}
