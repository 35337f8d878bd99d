/**
 * Reading cgroupfs files. A missing file means a controller that is not
 * there (or a cgroup that is gone), so it reads as `undefined`, never as an
 * error: stats leave that part out. Only unexpected failures throw.
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { InternalError } from '../errors';
import { parseUint } from './uint64';

/**
 * ENODEV: a file of a cgroup removed while we read it (kernfs).
 * ESRCH: /proc/<pid>/cgroup of a process that exited while we read it.
 * EOPNOTSUPP: a *.pressure file on a kernel booted with psi=0.
 */
const GONE = new Set(['ENOENT', 'ENOTDIR', 'ENODEV', 'ESRCH', 'EOPNOTSUPP']);

export function isGone(err: unknown): boolean {
  return GONE.has((err as NodeJS.ErrnoException)?.code ?? '');
}

function readFailure(path: string, err: unknown): InternalError {
  return new InternalError(`cgroups: read ${path}: ${(err as Error).message}`, { cause: err });
}

/**
 * Read synchronously: a cgroupfs or /proc file is made by the kernel on read and never
 * waits on a disk, and Stats reads some twenty of them; through the thread pool each cost an
 * open, fstat, read and close round trip (about 2.5 ms of a v1 Stats call, profiled).
 */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (isGone(err)) return undefined;
    throw readFailure(path, err);
  }
}

export async function listNames(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isGone(err)) return undefined;
    throw readFailure(dir, err);
  }
}

/**
 * "key value" lines (memory.stat, cpu.stat, memory.events, memory.oom_control).
 * Lines of another shape are skipped rather than failing the whole read, so a
 * kernel that adds a new kind of line does not break stats.
 */
export function parseFlatKeyed(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 2) continue;
    const value = parseUint(fields[1]);
    if (value !== undefined) out.set(fields[0], value);
  }
  return out;
}

export async function readFlatKeyed(path: string): Promise<Map<string, bigint> | undefined> {
  const text = await readText(path);
  return text === undefined ? undefined : parseFlatKeyed(text);
}

/**
 * A single-value file. "max" reads as `max`, which differs by version as in
 * containerd: v1 says 0, v2 says 2^64-1. An unparsable value reads as 0.
 */
export async function readSingle(path: string, max: bigint): Promise<bigint | undefined> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === 'max') return max;
  return parseUint(trimmed) ?? 0n;
}
