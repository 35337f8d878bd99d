/**
 * A child process to put into a cgroup before it does its work, and the cgroup directories
 * the v2 tests make and remove on the guest's real cgroup2 mount.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';

export type Child = ChildProcess & { exited: Promise<NodeJS.Signals | number | null> };

/** A shell that waits for a line on stdin, then runs `script`, so its work happens after it was moved. */
export function heldChild(script: string): Child {
  const proc = spawn('sh', ['-c', `read line; ${script}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)));
  return Object.assign(proc, { exited });
}

/** Lets a held child go on. */
export function release(proc: Child): void {
  proc.stdin!.end('go\n');
}

export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The command name of a process, '' once it is gone. */
export function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Kills the child, waits until it is reaped (so its cgroup is empty), removes the cgroup. */
export async function cleanUp(proc: Child | undefined, dirs: string[]): Promise<void> {
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  if (proc) await proc.exited;
  for (const dir of dirs) {
    for (let attempt = 0; existsSync(dir); attempt++) {
      try {
        rmdirSync(dir);
      } catch (err) {
        // A reaped task can linger in cgroup.procs for a moment.
        if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || attempt > 100) throw err;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}
