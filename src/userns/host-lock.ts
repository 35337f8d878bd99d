/**
 * The host-wide exclusive lock around every read-modify-write of the allocator state. Shims
 * of every partition take it, so it is a flock on a file next to the state (never the state
 * itself: that is replaced by rename, and a lock on a replaced inode excludes nobody).
 * flock is tried without blocking and retried with backoff, so a waiting shim keeps serving
 * its other RPCs; the kernel drops the lock if its holder dies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeadlineExceededError } from '../errors';
import { LOCK, type Sys } from '../sys/sys';

export interface HostLockOptions {
  timeoutMs?: number;
}

export async function withHostLock<T>(
  sys: Pick<Sys, 'flock'>,
  lockPath: string,
  body: () => T,
  options: HostLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      try {
        sys.flock(fd, LOCK.EX | LOCK.NB);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      }
      if (Date.now() >= deadline) {
        throw new DeadlineExceededError(`could not lock ${lockPath} within ${timeoutMs} ms: another shim holds it`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return body();
  } finally {
    // Closing the only fd of this open file description releases the lock.
    fs.closeSync(fd);
  }
}
