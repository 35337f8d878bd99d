import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeadlineExceededError, UnavailableError } from '../../../src/errors';
import { renderConfig, type ConfigOptions } from './containerd-config';
import { tidyNamespace } from './namespace-residue';
import { runCommand, type RunOptions, type RunResult } from './run-command';
import { makeScratchDir, removeScratchDir, testNamespace } from './scratch';
import { containerdVersion, type ContainerdSeries, type ContainerdVersion } from './versions';

export interface StartContainerdOptions extends ConfigOptions {
  version: ContainerdSeries;
  /** Searched first on containerd's PATH, so a runtime name resolves to the shim built there. */
  shimDir?: string;
  /** Extra environment for containerd, which its shims inherit. */
  env?: NodeJS.ProcessEnv;
  /** ctr's default namespace (default: this run's testNamespace). */
  namespace?: string;
  startTimeoutMs?: number;
}

export interface CtrOptions extends RunOptions {
  namespace?: string;
}

export interface Containerd {
  version: ContainerdVersion;
  namespace: string;
  /** The scratch directory holding everything below. */
  dir: string;
  address: string;
  ttrpcAddress: string;
  root: string;
  state: string;
  configPath: string;
  logPath: string;
  /** Runs this version's ctr against this daemon, in its namespace. */
  ctr(args: readonly string[], opts?: CtrOptions): Promise<RunResult>;
  /** The daemon log so far. */
  log(): string;
  /** Stops the daemon (running shims live on) and starts it again on the same root and state. */
  restart(): Promise<void>;
  /** Stops the daemon and removes its scratch directory and the namespace's runc residue. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test file that dies mid-way must not leave daemons behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (!(await waitExit(child, 10_000))) {
    child.kill('SIGKILL');
    await waitExit(child, 5_000);
  }
  running.delete(child);
}

function tail(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
}

/** Starts a private containerd of the given series: own root, state, sockets and log. */
export async function startContainerd(opts: StartContainerdOptions): Promise<Containerd> {
  const version = containerdVersion(opts.version);
  const namespace = opts.namespace ?? testNamespace;
  const dir = makeScratchDir();
  const paths = {
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    address: join(dir, 'c.sock'),
    ttrpcAddress: join(dir, 'c.sock.ttrpc'),
    opt: join(dir, 'opt'),
  };
  const configPath = join(dir, 'config.toml');
  const logPath = join(dir, 'containerd.log');
  writeFileSync(configPath, renderConfig(opts.version, paths, opts));

  // This version's own runc shim must win over the system one, and the tested shim over both.
  const pathDirs = [opts.shimDir, version.binDir, process.env.PATH].filter(Boolean);
  const env = { ...process.env, ...opts.env, PATH: pathDirs.join(':') };

  const ctr = (args: readonly string[], o: CtrOptions = {}): Promise<RunResult> =>
    runCommand(version.ctr, ['--address', paths.address, '--namespace', o.namespace ?? namespace, ...args], o);

  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const logFd = openSync(logPath, 'a');
    child = spawn(version.containerd, ['--config', configPath], {
      cwd: dir, // containerd also looks up shim binaries in its working directory
      env,
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    // The exit hook below kills it, so it must not keep a finished test file alive.
    child.unref();
    running.add(child);
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        running.delete(child);
        throw new UnavailableError(`containerd ${version.version} exited at start:\n${tail(logPath, 30)}`);
      }
      if (existsSync(paths.address)) {
        const probe = await ctr(['version'], { timeoutMs: 5_000 });
        if (probe.code === 0) return;
      }
      if (Date.now() > deadline) {
        await terminate(child);
        throw new DeadlineExceededError(`containerd ${version.version} not ready:\n${tail(logPath, 30)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const halt = async (): Promise<void> => {
    if (child) await terminate(child);
    child = undefined;
  };

  await launch();
  return {
    version,
    namespace,
    dir,
    ...paths,
    configPath,
    logPath,
    ctr,
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    restart: async () => {
      await halt();
      await launch();
    },
    stop: async () => {
      await halt();
      tidyNamespace(namespace);
      removeScratchDir(dir);
    },
  };
}
