import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { UnknownError } from '../errors';
import type { CommandRunner, Sys } from '../sys/sys';
import { readStream } from './fd-stream';

/** The logger gets SIGTERM on close and SIGKILL if it is still there this much later (runc shim: 12 s). */
export const LOGGER_KILL_DELAY_MS = 12_000;

export interface LoggerSpec {
  path: string;
  args: string[];
  containerId: string;
  namespace: string;
}

/**
 * A binary:// logging program (runc shim: process/io.go NewBinaryIO). It reads the
 * process's stdout on fd 3 and stderr on fd 4, and closes or writes fd 5 once it is
 * ready. It is long-lived, so it is spawned here rather than through CommandRunner.run,
 * and handed to CommandRunner.track so that libuv, which spawned it, reaps it.
 */
export class BinaryLogger {
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    /** write ends for the process: its stdout and stderr */
    readonly stdout: number,
    readonly stderr: number,
  ) {
    child.once('exit', () => {
      this.exited = true;
    });
    // kill() reports failures other than "already gone" as an event; a logger that
    // cannot be signalled must not take the shim down.
    child.on('error', () => {});
  }

  /** Resolves once the logger said it is ready; on failure everything is released. */
  static async start(sys: Sys, runner: CommandRunner, spec: LoggerSpec): Promise<BinaryLogger> {
    const opened: number[] = [];
    const pipe = (): [number, number] => {
      const ends = sys.pipe();
      opened.push(...ends);
      return ends;
    };
    try {
      const [outR, outW] = pipe();
      const [errR, errW] = pipe();
      const [readyR, readyW] = pipe();
      const child = spawn(spec.path, spec.args, {
        stdio: ['ignore', 'ignore', 'ignore', outR, errR, readyW],
        env: { CONTAINER_ID: spec.containerId, CONTAINER_NAMESPACE: spec.namespace },
      });
      runner.track(child);
      // The logger has its own copies now; ours of its ends would hide its EOF.
      for (const fd of [outR, errR, readyW]) closeOpened(opened, fd);
      const ready = readStream(readyR);
      opened.splice(opened.indexOf(readyR), 1);
      try {
        await waitReady(child, ready);
      } finally {
        ready.destroy();
      }
      opened.length = 0;
      return new BinaryLogger(child, outW, errW);
    } catch (err) {
      for (const fd of opened) fs.closeSync(fd);
      if (err instanceof UnknownError) throw err;
      throw new UnknownError(`failed to start logging binary ${spec.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** SIGTERM so it can flush, SIGKILL if it has not exited after LOGGER_KILL_DELAY_MS. */
  stop(): void {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), LOGGER_KILL_DELAY_MS);
    this.child.once('exit', () => clearTimeout(timer));
  }
}

/** Ready is one byte or EOF on fd 5 (EOF also when the logger died: the runc shim accepts that too). */
async function waitReady(child: ChildProcess, ready: NodeJS.ReadableStream): Promise<void> {
  if (child.pid === undefined) {
    const [err] = (await once(child, 'error')) as [Error];
    throw err;
  }
  await new Promise<void>((resolve) => {
    ready.once('data', () => resolve());
    ready.once('end', () => resolve());
    ready.once('error', () => resolve());
  });
}

function closeOpened(opened: number[], fd: number): void {
  opened.splice(opened.indexOf(fd), 1);
  fs.closeSync(fd);
}
