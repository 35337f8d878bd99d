/**
 * containerd-shim-metassembly-v2: argv -> action. The only place that sets the exit
 * code. Actions are imported lazily: `start` and `delete` run once per container
 * and pay for every module they load.
 */
import { writeSync } from 'node:fs';
import { parseFlags, type ShimFlags } from './bootstrap/flags';
import type { SelfCommand } from './bootstrap/start';

export const version = '0.1.0';

/** Resolves to the exit code, or to undefined when this process is now the serving daemon. */
export async function main(argv: string[], self: SelfCommand): Promise<number | undefined> {
  let flags: ShimFlags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (flags.version) {
    process.stdout.write(`containerd-shim-metassembly-v2:\n  Version:  ${version}\n  Runtime:  node ${process.version}\n`);
    return 0;
  }
  try {
    if (flags.info) {
      const { runtimeInfo } = await import('./bootstrap/info');
      return writeOut(runtimeInfo(version));
    }
    switch (flags.action) {
      case 'start': {
        const { start } = await import('./bootstrap/start');
        return writeOut(await start(requireTaskFlags(flags), self));
      }
      case 'delete': {
        const { deleteTask } = await import('./bootstrap/delete');
        return writeOut(await deleteTask(requireTaskFlags(flags)));
      }
      case 'partition': {
        const { partitionCommand } = await import('./bootstrap/partition-command');
        return await partitionCommand(flags.rest);
      }
      case 'serve': {
        const { serve } = await import('./bootstrap/serve');
        await serve(requireTaskFlags(flags));
        return undefined;
      }
      default:
        process.stderr.write(`unknown action ${JSON.stringify(flags.action)}: expected start, delete or partition (or -v, -info)\n`);
        return 2;
    }
  } catch (err) {
    // For `start`, containerd shows this text to the user as the failure.
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
}

function requireTaskFlags(flags: ShimFlags): ShimFlags {
  const missing = (['namespace', 'id'] as const).filter((k) => !flags[k]);
  if (missing.length) throw new Error(`missing flag${missing.length > 1 ? 's' : ''}: ${missing.map((k) => `-${k}`).join(' ')}`);
  return flags;
}

/**
 * Straight to fd 1: containerd reads stdout through a pipe, and process.stdout on a pipe
 * would load node:net and the stream machinery, ~3 ms of a `delete` (bench/PROFILE.md).
 */
function writeOut(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(1, bytes, done);
    } catch (err) {
      // a non-blocking pipe that is full: wait for the reader rather than drop the reply
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
  return 0;
}
