/** cgroup v1 OOM notification: an eventfd registered on memory.oom_control (containerd's pkg/oom/v1). */
import { closeSync, existsSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError, NotFoundError } from '../errors';
import type { FdWatch } from '../sys/sys';
import type { OomSys } from './cgroup-manager';
import { isGone } from './cgroupfs';

/**
 * Writing "<eventfd> <fd of memory.oom_control>" to cgroup.event_control asks
 * the kernel to signal the eventfd on every OOM in the cgroup. The kernel
 * resolves both numbers in our fd table during the write, so the
 * oom_control fd may be closed right after.
 */
async function register(memoryDir: string, efd: number): Promise<void> {
  const control = await open(join(memoryDir, 'memory.oom_control'), 'r');
  try {
    await writeFile(join(memoryDir, 'cgroup.event_control'), `${efd} ${control.fd}`);
  } finally {
    await control.close();
  }
}

export async function watchV1Oom(memoryDir: string, sys: OomSys, onOom: () => void): Promise<FdWatch> {
  const efd = sys.eventfd();
  try {
    await register(memoryDir, efd);
  } catch (err) {
    closeSync(efd);
    if (isGone(err)) throw new NotFoundError(`cgroup ${memoryDir} not found`, { cause: err });
    throw new InternalError(`cgroups: register OOM eventfd in ${memoryDir}: ${(err as Error).message}`, { cause: err });
  }
  let closed = false;
  // FdWatch.close() stops the loop watch; the eventfd is ours to close.
  const close = () => {
    if (closed) return;
    closed = true;
    watch.close();
    closeSync(efd);
  };
  const watch = sys.watchEventfd(efd, () => {
    if (closed) return;
    // The kernel also signals on rmdir of the cgroup: that is the end, not an OOM.
    if (!existsSync(memoryDir)) return close();
    onOom();
  });
  return { close };
}
