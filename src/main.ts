/**
 * containerd-shim-metassembly-v2: argv -> action. The only place that sets the exit
 * code. Actions are imported lazily: `start` and `delete` run once per container
 * and pay for every module they load.
 */
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
      return await writeOut(runtimeInfo(version));
    }
    switch (flags.action) {
      case 'start': {
        const { start } = await import('./bootstrap/start');
        return await writeOut(await start(requireTaskFlags(flags), self));
      }
      case 'delete': {
        const { deleteTask } = await import('./bootstrap/delete');
        return await writeOut(await deleteTask(requireTaskFlags(flags)));
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

function writeOut(data: string | Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => process.stdout.write(data, (err) => (err ? reject(err) : resolve(0))));
}
