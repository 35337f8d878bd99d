/** Walking and emptying a cgroup subtree: shared by the v1 and v2 partition cgroups. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DeadlineExceededError, FailedPreconditionError, InternalError, NotFoundError } from '../errors';
import { readCgroupProcs } from './cgroup-procs';
import { isGone } from './cgroupfs';
import { removeDir } from './cgroupfs-write';

/** Names of the child cgroups of `dir` ([] when it is gone). */
export async function childCgroups(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (err) {
    if (isGone(err)) return [];
    throw new InternalError(`cgroups: list ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

/** Processes of `dir`'s subtree; none once it is gone (it may go while we look). */
export async function procsOf(dir: string): Promise<number[]> {
  return readCgroupProcs(dir).catch((err) => {
    if (err instanceof NotFoundError) return [];
    throw err;
  });
}

/** `dir` and every cgroup below it, children before their parents. */
export async function cgroupsBottomUp(dir: string): Promise<string[]> {
  const below = await Promise.all((await childCgroups(dir)).map((name) => cgroupsBottomUp(join(dir, name))));
  return [...below.flat(), dir];
}

export async function removeBottomUp(dir: string): Promise<void> {
  for (const path of await cgroupsBottomUp(dir)) await removeDir(path);
}

/**
 * Kills until nothing is left: `kill` once per round with what `pids` lists now, since
 * a process may fork between the listing and the kill (pids.max bounds how often).
 */
export async function killUntilEmpty(pids: () => Promise<number[]>, kill: (pids: number[]) => Promise<void>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let left = await pids(); left.length > 0; left = await pids()) {
    if (left.includes(process.pid)) throw new FailedPreconditionError(`cgroups: ${what} holds this process (${process.pid}); run it from outside`);
    if (Date.now() > deadline) throw new DeadlineExceededError(`cgroups: ${what} still has processes ${left.join(' ')} after SIGKILL`);
    await kill(left);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** SIGKILL to each; a pid that is already gone is fine. */
export async function sigkillEach(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw new InternalError(`cgroups: kill ${pid}: ${(err as Error).message}`, { cause: err });
    }
  }
}
