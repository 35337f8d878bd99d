/** cgroup v2 OOM notification: inotify on memory.events, `oom_kill` growing (containerd's pkg/oom/v2). */
import { watch } from 'node:fs';
import { join } from 'node:path';
import { InternalError, NotFoundError } from '../errors';
import type { FdWatch } from '../sys/sys';
import { isGone, readFlatKeyed } from './cgroupfs';

export async function watchV2Oom(dir: string, onOom: () => void): Promise<FdWatch> {
  const eventsPath = join(dir, 'memory.events');
  let watcher: ReturnType<typeof watch>;
  try {
    // Not persistent: an OOM watch alone must not keep the shim alive.
    watcher = watch(eventsPath, { persistent: false });
  } catch (err) {
    if (isGone(err)) throw new NotFoundError(`cgroup ${dir} has no memory.events`, { cause: err });
    throw new InternalError(`cgroups: watch ${eventsPath}: ${(err as Error).message}`, { cause: err });
  }
  // As containerd: the last count starts at 0 and an event is due whenever the count exceeds it.
  let last = 0n;
  let closed = false;
  let reading = Promise.resolve();
  const close = () => {
    if (closed) return;
    closed = true;
    watcher.close();
  };
  const check = async () => {
    if (closed) return;
    let kills: bigint;
    try {
      const events = await readFlatKeyed(eventsPath);
      // Gone: the cgroup was removed, nothing more will happen.
      if (events === undefined) return close();
      kills = events.get('oom_kill') ?? 0n;
    } catch {
      // Unreadable for another reason: there is no way to go on watching.
      return close();
    }
    if (kills > last) {
      last = kills;
      onOom();
    }
  };
  // Reads are chained so that counts are compared in the order they were read.
  const schedule = () => {
    reading = reading.then(check);
  };
  watcher.on('change', schedule);
  watcher.on('error', close);
  schedule();
  return { close };
}
