import * as assert from 'uvu/assert';
import type { Containerd, CtrOptions, RunResult } from '../harness';
import { eventually } from './eventually';

/** Runs ctr and asserts it succeeded, showing its stderr when it did not. */
export async function ctrOk(cd: Containerd, args: readonly string[], opts?: CtrOptions): Promise<RunResult> {
  const r = await cd.ctr(args, opts);
  assert.equal(r.code, 0, `ctr ${args.join(' ')}: ${r.stderr}`);
  return r;
}

/** A task's STATUS column in `ctr task ls` (RUNNING, PAUSED, STOPPED, ...), or undefined. */
export async function taskStatus(cd: Containerd, id: string): Promise<string | undefined> {
  const r = await ctrOk(cd, ['task', 'ls']);
  for (const line of r.stdout.split('\n').slice(1)) {
    const [task, , status] = line.trim().split(/\s+/);
    if (task === id) return status;
  }
  return undefined;
}

/** A task's init pid, from the PID column of `ctr task ls`. */
export async function initPid(cd: Containerd, id: string): Promise<number> {
  const r = await ctrOk(cd, ['task', 'ls']);
  const line = r.stdout.split('\n').find((l) => l.trim().split(/\s+/)[0] === id);
  assert.ok(line, `task ${id} listed:\n${r.stdout}`);
  return Number(line.trim().split(/\s+/)[1]);
}

/** Waits for a task to reach a status; an exit reaches containerd asynchronously. */
export function waitTaskStatus(cd: Containerd, id: string, status: string, timeoutMs = 5_000): Promise<string | undefined> {
  return eventually(
    () => taskStatus(cd, id),
    (s) => s === status,
    { timeoutMs, what: `task ${id} ${status}` },
  );
}

/** Kills a task, deletes it once its exit has been seen, and removes its container. */
export async function removeTask(cd: Containerd, id: string): Promise<void> {
  if ((await taskStatus(cd, id)) !== 'STOPPED') {
    await ctrOk(cd, ['task', 'kill', '--signal', 'SIGKILL', id]);
    await waitTaskStatus(cd, id, 'STOPPED');
  }
  await ctrOk(cd, ['task', 'delete', id]);
  await ctrOk(cd, ['container', 'delete', id]);
}

/**
 * Starts `ctr task exec` in the background (it returns when the exec exits) and waits until ps
 * lists it. The result is wrapped: an async function returning the bare promise would await it.
 */
export async function backgroundExec(
  cd: Containerd,
  id: string,
  execId: string,
  args: string[],
): Promise<{ done: Promise<RunResult> }> {
  const done = cd.ctr(['task', 'exec', '--exec-id', execId, id, ...args], { timeoutMs: 30_000 });
  await eventually(
    async () => (await ctrOk(cd, ['task', 'ps', id])).stdout,
    (out) => out.includes(execId),
    { what: `exec ${execId} in ctr task ps` },
  );
  return { done };
}
