import { spawn } from 'node:child_process';
import type { Containerd, RunResult } from '../harness';

/**
 * Runs ctr with a pipe on stdin that stays open until `feedWhen` resolves, then gets `input`
 * and EOF.
 *
 * Why wait: like the runc shim, ours keeps its own writer on the stdin FIFO, so the task sees
 * EOF only after CloseIO. ctr learns how to send CloseIO only once NewTask has returned; if its
 * own stdin ends before that, it never sends it and the task waits for input forever, with any
 * shim. A task shown RUNNING has been started, which ctr does after NewTask returned.
 */
export function ctrWithLateStdin(
  cd: Containerd,
  args: readonly string[],
  input: string,
  opts: { feedWhen: () => Promise<unknown>; timeoutMs?: number },
): Promise<RunResult> {
  const child = spawn(cd.version.ctr, ['--address', cd.address, '--namespace', cd.namespace, ...args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  child.stdin!.on('error', () => undefined); // ctr may exit without reading
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, opts.timeoutMs ?? 30_000);
  const fed = opts.feedWhen().then(
    () => child.stdin!.end(input),
    // Never ready (ctr failed early): end stdin anyway so ctr can report its error.
    () => child.stdin!.end(),
  );
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      void fed.then(() =>
        resolve({
          code,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          timedOut,
        }),
      );
    });
  });
}
