/**
 * A CommandRunner on plain child_process, for tests that do not run under the
 * shim's reaper (nothing else reaps here, so libuv reaping its own pids is enough).
 * Spawn failures (ENOENT for a missing binary) reject with Node's error, as
 * the real runner does.
 */
import { spawn } from 'child_process';
import type { CommandOptions, CommandResult, CommandRunner } from '../../../src/sys/sys';

export class ChildProcessRunner implements CommandRunner {
  run(file: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
    const stdio = options.stdio ?? ['ignore', 'pipe', 'pipe'];
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: [...stdio, ...(options.extraFds ?? [])],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stdout, stderr }));
      if (child.stdin) {
        // A command may exit without reading its input: EPIPE then is not a failure.
        child.stdin.on('error', () => undefined);
        child.stdin.end(options.input ?? '');
      }
    });
  }
}
