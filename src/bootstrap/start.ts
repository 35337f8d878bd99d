/**
 * `start`: find or launch the shim daemon for this task's group and print its address
 * (plain, or as version-3 bootstrap JSON when [shim] task_api = "v3").
 *
 * containerd reads start's stdout+stderr to EOF as the address, then dials it at once, so:
 * the socket listens before we exit (we bind it here and hand the listener to the daemon
 * as fd 3), the daemon inherits none of our stdio, and nothing but the address is printed.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors';
import { loadConfig } from '../config/load';
import type { ShimFlags } from './flags';
import { readStdinOptions } from './runtime-options';
import { LOCK } from '../sys/sys';
import { groupId, socketDir, socketPath, startReply } from './socket-address';
import { listensAt } from './unix-listeners';

const lockDir = '/run/metassembly';

export interface SelfCommand {
  /** the executable to run for the daemon (the SEA binary, or node) */
  file: string;
  /** arguments before our own flags (the script path when not a SEA) */
  args: string[];
}

export async function start(flags: ShimFlags, self: SelfCommand): Promise<string> {
  const bundle = process.cwd();
  const config = loadConfig(readStdinOptions());
  const spec = readSpec(bundle);
  const group = groupId(flags.id, spec.annotations, config.shim.grouping, config.partition?.name);
  const path = socketPath(flags.address, flags.namespace, group);
  const address = `unix://${path}`;

  const listener = await listenOrFindRunning(path);
  if (listener) {
    // loaded here, not at the top: joining a running group's shim launches nothing
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(self.file, [...self.args, ...daemonArgs(flags, path)], {
      cwd: bundle,
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', fdOf(listener)],
      env: process.env,
    });
    if (child.pid === undefined) {
      unlinkSync(path);
      throw new Error(`could not launch the shim daemon ${self.file}`);
    }
    child.unref();
    followContainerdOomScore(child.pid);
  }
  // the file stays plain whatever start prints: 1.6/1.7 read it as an address
  writeAddressFile(bundle, address);
  // The listener is deliberately never closed here: closing a bound unix socket in Node
  // unlinks its path, which the daemon now owns. Process exit just drops our copy.
  return startReply(path, config.shim.taskApi);
}

function readSpec(bundle: string): { annotations?: Record<string, string> } {
  const path = join(bundle, 'config.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { annotations?: Record<string, string> };
  } catch (err) {
    throw new InvalidArgumentError(`invalid bundle ${bundle}: config.json: ${(err as Error).message}`);
  }
}

/**
 * Binds the group's socket; null when a live shim already serves it. bind is the atomic
 * step: of two `start`s for one group only one binds, and the other finds it alive. A
 * socket nobody answers is either a dead shim's file or another start's in the instant
 * between its bind and listen; replacing it is decided under a host-wide lock and after
 * looking again, so two starts never unlink each other's socket (that launched two
 * daemons for one group). The lock (native flock) is only loaded on that rare path.
 */
async function listenOrFindRunning(path: string): Promise<Server | null> {
  mkdirSync(socketDir, { recursive: true, mode: 0o711 });
  if (listenerSeen(path)) return null;
  try {
    return await listen(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
  }
  if (await isAlive(path)) return null;
  return withStaleSocketLock(async () => {
    for (let look = 0; look < 5; look++) {
      if (await isAlive(path)) return null;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    rmSync(path, { force: true });
    try {
      return await listen(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && (await isAlive(path))) return null;
      throw err;
    }
  });
}

/**
 * The common case, a container joining its group's running shim, decided without node:net,
 * whose loading (with the stream machinery, and node:cluster for a listen) was most of what
 * `start` cost above Node's own start-up (bench/PROFILE.md): the kernel lists a stream socket
 * bound to this path as listening, and the path still names a file. That is what a connect
 * would have found; anything else (no table, not listening yet, no file) goes the long way.
 */
function listenerSeen(path: string): boolean {
  let table: string;
  try {
    table = readFileSync('/proc/net/unix', 'latin1');
  } catch {
    return false;
  }
  return listensAt(table, path) && existsSync(path);
}

/** Node's net, loaded only on the paths that bind or connect. */
function net(): typeof import('node:net') {
  return require('node:net') as typeof import('node:net');
}

/** Closing the fd releases the lock. */
async function withStaleSocketLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(lockDir, { recursive: true, mode: 0o711 });
  const fd = openSync(join(lockDir, 'start.lock'), 'a', 0o600);
  try {
    // loaded here, not at the top: the common paths of `start` need no native code
    const { NativeSys } = require('../sys/native-sys') as typeof import('../sys/native-sys');
    new NativeSys().flock(fd, LOCK.EX);
    return await fn();
  } finally {
    closeSync(fd);
  }
}

function listen(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = net().createServer();
    server.once('error', reject);
    server.listen({ path, exclusive: true, backlog: 128 }, () => resolve(server));
  });
}

function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net().createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function fdOf(server: Server): number {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('listening socket has no fd');
  return fd;
}

function daemonArgs(flags: ShimFlags, socket: string): string[] {
  const args = ['-namespace', flags.namespace, '-address', flags.address, '-id', flags.id, '-socket', socket];
  if (flags.publishBinary) args.push('-publish-binary', flags.publishBinary);
  if (flags.debug) args.push('-debug');
  args.push('serve');
  return args;
}

/** Written for containerd 1.6/1.7, which re-read it to reconnect after a restart. */
function writeAddressFile(bundle: string, address: string): void {
  const tmp = join(bundle, '.address.tmp');
  writeFileSync(tmp, address, { mode: 0o600 });
  renameSync(tmp, join(bundle, 'address'));
}

/** Like runc-v2: under memory pressure the kernel should pick the shim just after containerd. */
function followContainerdOomScore(daemonPid: number): void {
  try {
    const score = Number.parseInt(readFileSync(`/proc/${process.ppid}/oom_score_adj`, 'utf8'), 10);
    writeFileSync(`/proc/${daemonPid}/oom_score_adj`, String(Math.min(score + 1, 1000)));
  } catch {
    // best effort: a restricted /proc leaves the default score
  }
}
