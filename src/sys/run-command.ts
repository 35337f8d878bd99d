import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { CommandOptions, CommandResult, CommandRunner } from './sys';

/**
 * After the helper exits, how long to wait for its stdout/stderr to reach EOF.
 * A helper that hands its pipes to a daemon it leaves behind (e.g. a runtime's
 * detached init) would otherwise keep the result pending forever.
 */
const PIPE_DRAIN_MS = 500;

/** Spawns one command with the given fds as stdio and resolves when it ended; `track` sees the child synchronously. */
export function runCommand(
  file: string,
  args: string[],
  options: CommandOptions,
  track: (child: ChildProcess) => void,
): Promise<CommandResult> {
  const stdio: StdioOptions = [...(options.stdio ?? ['ignore', 'pipe', 'pipe']), ...(options.extraFds ?? [])];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio });
    track(child);

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    if (child.stdin) {
      // A helper may exit without reading its input; EPIPE is then expected, not a failure.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    }

    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    };

    child.once('error', (err) => {
      // 'error' without a pid is a failed spawn (ENOENT, EACCES); with one it is a
      // failed kill/send, and the 'exit' still comes.
      if (child.pid === undefined) reject(err);
    });
    child.once('exit', (exitCode, signal) => {
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(exitCode, signal);
      }, PIPE_DRAIN_MS);
    });
    child.once('close', (exitCode: number | null, signal: NodeJS.Signals | null) => finish(exitCode, signal));
  });
}

/**
 * A CommandRunner for processes that reap nothing themselves (the `delete` command):
 * with no reaper running, libuv is the only one waiting on children.
 */
export const plainRunner: CommandRunner = {
  run: (file, args, options) => runCommand(file, args, options ?? {}, () => undefined),
  track: () => undefined,
};
