/**
 * The allocator's persistent state: one JSON file shared by every shim on the host. It is
 * only read and written under the host lock, and replaced atomically (temp file, fsync,
 * rename, fsync of the directory) so that a crash or power loss leaves either the old or
 * the new state, never a torn one. A file that does not parse is refused rather than reset:
 * starting empty would hand live pods' ranges out again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FailedPreconditionError } from '../errors';
import type { Holder } from './holders';

export interface RangeOwner {
  /** the node partition (shim configuration) that allocated it */
  partition: string;
  pod: string;
}

export interface AllocatedRange {
  hostID: number;
  size: number;
  owner: RangeOwner;
  allocatedAt: string;
  /** true when the pod asked for this range (a Kubernetes hostUsers: false mapping) */
  requested: boolean;
  /** the processes that keep it live (holders.ts); absent in files older than holders */
  holders?: Holder[];
}

export interface UsernsState {
  version: 1;
  /** where the next search starts: freed ranges are reused last */
  next: number;
  ranges: AllocatedRange[];
}

export function emptyState(): UsernsState {
  return { version: 1, next: 0, ranges: [] };
}

export function readState(file: string): UsernsState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, 'it is not JSON', err);
  }
  checkState(state, file);
  return state;
}

export function writeState(file: string, state: UsernsState): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeSync(fd, `${JSON.stringify(state, null, 1)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  // The rename is durable only once the directory entry is.
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

function checkState(value: unknown, file: string): asserts value is UsernsState {
  const s = value as Partial<UsernsState> | null;
  if (typeof s !== 'object' || s === null || s.version !== 1) throw corrupt(file, 'it is not a version 1 state');
  if (!Number.isSafeInteger(s.next) || !Array.isArray(s.ranges)) throw corrupt(file, '"next" or "ranges" is missing');
  const seen = new Set<number>();
  for (const r of s.ranges) {
    const ok =
      typeof r === 'object' && r !== null &&
      Number.isSafeInteger(r.hostID) && Number.isSafeInteger(r.size) && r.size > 0 &&
      typeof r.owner?.partition === 'string' && typeof r.owner?.pod === 'string' &&
      typeof r.allocatedAt === 'string' && typeof r.requested === 'boolean' &&
      (r.holders === undefined || (Array.isArray(r.holders) && r.holders.every(wellFormedHolder)));
    if (!ok) throw corrupt(file, `range entry ${JSON.stringify(r)} is malformed`);
    if (seen.has(r.hostID)) throw corrupt(file, `range ${r.hostID} is listed twice`);
    seen.add(r.hostID);
  }
}

function wellFormedHolder(h: Partial<Holder> | null): boolean {
  return (
    typeof h === 'object' && h !== null &&
    typeof h.boot === 'string' && Number.isSafeInteger(h.pid) && (h.pid ?? 0) > 0 && typeof h.start === 'string' &&
    (h.role === 'init' || h.role === 'creating') &&
    (h.container === undefined || typeof h.container === 'string') && (h.until === undefined || typeof h.until === 'string')
  );
}

function corrupt(file: string, why: string, cause?: unknown): FailedPreconditionError {
  return new FailedPreconditionError(
    `user-namespace allocator state ${file} is unusable (${why}); refusing to allocate, since starting over could ` +
      'give a live pod\'s ids to another; repair or remove it once no pod of any partition runs',
    { cause },
  );
}
