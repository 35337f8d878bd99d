/**
 * The shim daemon: started by `start` with the listening socket as fd 3, its cwd the
 * first task's bundle. Builds the concrete implementations, hands them down, serves
 * the Task API until Shutdown finds no task left.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cgroupManagerForPid, detectCgroupMode } from '../cgroups';
import { QueuedPublisher, TtrpcEventTransport } from '../events/publisher';
import { createProcessIO } from '../io/create-process-io';
import { openFifoSink } from '../log/log-sink';
import { ExitRouter } from '../process/exit-router';
import { RuncRuntime } from '../runtime/runc-runtime';
import { NativeSys } from '../sys/native-sys';
import { Reaper } from '../sys/reaper';
import { TtrpcServer } from '../ttrpc/server';
import { encodeForwardRequest } from '../wire/events';
import { toWireEvent } from '../task/lifecycle-events';
import { TaskService, runtimeRoot } from '../task/task-service';
import { taskMethods, taskServiceNames } from '../task/ttrpc-handlers';
import type { ShimFlags } from './flags';

const listenerFd = 3;

export async function serve(flags: ShimFlags): Promise<void> {
  const bundle = process.cwd();
  const namespace = flags.namespace;
  const log = openFifoSink(join(bundle, 'log'), flags.debug);
  const info = (message: string): void => log.write('info', message);
  process.on('uncaughtException', (err) => log.write('error', `uncaught: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log.write('error', `unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));

  const sys = new NativeSys();
  const reaper = new Reaper(sys);
  const exits = new ExitRouter();
  reaper.onExit((exit) => exits.deliver(exit));
  reaper.start();

  const ttrpcAddress = process.env.TTRPC_ADDRESS ?? `${flags.address}.ttrpc`;
  const publisher = new QueuedPublisher({
    namespace,
    log: info,
    transport: new TtrpcEventTransport(ttrpcAddress, encodeForwardRequest),
  });

  const cgroupMode = detectCgroupMode();
  const server = new TtrpcServer();
  const listener = createServer();
  let shuttingDown = false;
  const shutdown = async (): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    info('shutting down: no task left');
    server.close();
    await publisher.close(2000);
    if (flags.socket) rmSync(flags.socket, { force: true });
    reaper.stop();
    log.close();
    process.exit(0);
  };

  const service = new TaskService({
    namespace,
    runtimeFor: (config) =>
      new RuncRuntime({
        binary: config.runtime.binary,
        root: runtimeRoot(config, namespace),
        systemdCgroup: config.runtime.systemdCgroup,
        runner: reaper,
      }),
    containerDeps: {
      sys,
      exits,
      createIO: (config, owner) =>
        createProcessIO(config, {
          sys,
          runner: reaper,
          containerId: owner.containerId,
          namespace,
          consoleDir: join('/run/containerd/metassembly/console', namespace),
        }),
      openCgroup: (pid) => cgroupManagerForPid(pid, { mode: cgroupMode, sys }).catch(() => undefined),
      emit: (event) => {
        const wire = toWireEvent(event);
        publisher.publish(wire.topic, wire.event);
      },
      log: info,
    },
    // after the Shutdown reply has been written
    onIdle: () => setImmediate(() => void shutdown()),
  });
  for (const name of taskServiceNames) server.register(name, taskMethods(service));
  listener.listen({ fd: listenerFd });
  server.serve(listener);
  info(`serving ${taskServiceNames.join(', ')} on ${flags.socket || `fd ${listenerFd}`}`);
}
