import { spawn } from 'node:child_process';
import type { Containerd, RunResult } from '../harness';

/**
 * Runs ctr with a pipe on stdin that stays open for `delayMs`, then gets `input` and EOF.
 *
 * Why the delay: ctr only learns how to close the task's stdin (CloseIO) once NewTask has
 * returned; if its own stdin hits EOF before that, it never sends CloseIO and the task waits
 * for input forever, with any shim. Real users type later than that.
 */
export function ctrWithLateStdin(
  cd: Containerd,
  args: readonly string[],
  input: string,
  opts: { delayMs?: number; timeoutMs?: number } = {},
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
  const feed = setTimeout(() => child.stdin!.end(input), opts.delayMs ?? 500);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, opts.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(feed);
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
  });
}
