/**
 * The shim daemon: started by `start` with the listening socket as fd 3 and the first
 * task's bundle as cwd. Serves the Task API until Shutdown finds no task left.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FifoLog } from '../log/log-sink';
import { taskServiceNames } from '../task/ttrpc-handlers';
import type { ShimFlags } from './flags';
import { createShim } from './shim';

const listenerFd = 3;

export async function serve(flags: ShimFlags): Promise<void> {
  const log = new FifoLog(flags.debug);
  log.attach(join(process.cwd(), 'log'));
  // The first bundle is deleted long before a grouped shim exits; hold no directory.
  process.chdir('/');
  // A bug reached from one task must not take down every other task this shim serves.
  process.on('uncaughtException', (err) => log.write('error', `uncaught: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log.write('error', `unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));

  let shuttingDown = false;
  const shim = createShim({
    namespace: flags.namespace,
    ttrpcAddress: process.env.TTRPC_ADDRESS ?? `${flags.address}.ttrpc`,
    log,
    consoleDir: '/run/containerd/metassembly/console',
    onIdle: () => {
      if (shuttingDown) return;
      shuttingDown = true;
      log.write('info', 'shutting down: no task left');
      void shim.close().finally(() => {
        if (flags.socket) rmSync(flags.socket, { force: true });
        log.close();
        process.exit(0);
      });
    },
  });
  const listener = createServer();
  listener.listen({ fd: listenerFd });
  shim.server.serve(listener);
  log.write('info', `serving ${taskServiceNames.join(', ')} on ${flags.socket || `fd ${listenerFd}`}`);
}
