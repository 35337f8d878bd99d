/**
 * A container: its init process, its execs, its rootfs and cgroup, and the order in
 * which their lifecycle events are emitted. Event ordering rules (runc-v2's):
 * create < start < exit < delete; exec-added < exec-started < the exec's exit;
 * a process's start precedes its exit even when it dies before Start returns;
 * every running exec's exit precedes the init's exit.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../errors';
import type { FdWatch } from '../sys/sys';
import type { StdioConfig } from '../io/process-io';
import type { ExitInfo } from './lifecycle-event';
import type { Mount } from './mount';
import type { ContainerCgroup, ContainerDeps, IdmapRequest } from './ports';
import { Process } from './process';
import { mountRootfs, unmountRootfs } from './rootfs';
import { assertSignalable, type ProcessState } from './state';

export interface CreateConfig {
  id: string;
  bundle: string;
  rootfs: Mount[];
  stdio: StdioConfig;
  /** the bundle's config.json, parsed */
  spec: OciSpec;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  /** present when the container runs in a user namespace */
  idmap?: IdmapRequest;
}

/** The parts of an OCI spec the process layer reads. */
export interface OciSpec {
  process?: { terminal?: boolean };
  linux?: { namespaces?: Array<{ type: string; path?: string }> };
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface ProcessSnapshot {
  id: string;
  execId: string;
  bundle: string;
  pid: number;
  state: ProcessState;
  stdio: StdioConfig;
  exit?: ExitInfo;
}

/** How long output may take to drain after a process exits before its exit is published anyway. */
const drainTimeoutMs = 2000;
/** How long Delete of a never-started init waits for the runtime's kill to be reaped. */
const deleteReapTimeoutMs = 2000;
const SIGKILL = 9;
/** containerd's identifier rule, applied to exec ids. */
const identifier = /^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$/;

export class Container {
  readonly id: string;
  readonly bundle: string;
  readonly init: Process;
  private readonly execs = new Map<string, Process>();
  private readonly execSpecs = new Map<string, object>();
  private readonly rootfs: Mount[];
  private readonly idmappedRootfs: string | undefined;
  private readonly ownPidNamespace: boolean;
  private cgroup: ContainerCgroup | undefined;
  private oomWatch: FdWatch | undefined;
  /** Start of each process in flight; its exit waits for it so start is published first. */
  private readonly starting = new Map<Process, Promise<unknown>>();
  /** Resolves once each exec's exit has been emitted. */
  private readonly exitEmitted = new Map<Process, Promise<void>>();

  private constructor(
    private readonly deps: ContainerDeps,
    config: CreateConfig,
  ) {
    this.id = config.id;
    this.bundle = config.bundle;
    this.rootfs = config.rootfs;
    this.idmappedRootfs = config.idmap?.target;
    this.init = new Process(config.id, '', config.stdio);
    const pidNs = config.spec.linux?.namespaces?.find((ns) => ns.type === 'pid');
    this.ownPidNamespace = pidNs !== undefined && !pidNs.path;
  }

  static async create(deps: ContainerDeps, config: CreateConfig): Promise<Container> {
    const container = new Container(deps, config);
    await container.createInit(config);
    return container;
  }

  private async createInit(config: CreateConfig): Promise<void> {
    const rootfsDir = join(this.bundle, 'rootfs');
    const { runtime } = this.deps;
    mountRootfs(this.deps.sys, this.rootfs, rootfsDir, this.deps.idmapMount);
    try {
      if (config.idmap) this.deps.idmapRootfs(config.idmap);
      const io = await this.deps.createIO(config.stdio, { containerId: this.id, execId: '' });
      this.init.io = io;
      const pidFile = join(this.bundle, 'init.pid');
      await runtime.create({
        id: this.id,
        bundle: this.bundle,
        pidFile,
        stdio: io.runtimeStdio,
        consoleSocket: io.consoleSocket,
        noPivot: config.noPivot,
        noNewKeyring: config.noNewKeyring,
      });
      await io.attach();
      this.init.pid = await readPidFile(pidFile);
    } catch (err) {
      this.init.io?.close();
      await runtime.delete(this.id, true).catch(() => undefined);
      if (config.idmap) this.deps.removeIdmappedRootfs(config.idmap.target);
      unmountRootfs(this.deps.sys, rootfsDir);
      throw err;
    }
    this.cgroup = await this.deps.openCgroup(this.init.pid);
    this.oomWatch = await this.cgroup
      ?.watchOom(() => this.deps.emit({ type: 'oom', containerId: this.id }))
      .catch((err: Error) => {
        this.deps.log(`container ${this.id}: no OOM events: ${err.message}`);
        return undefined;
      });
    this.deps.emit({
      type: 'create',
      containerId: this.id,
      bundle: this.bundle,
      rootfs: this.rootfs,
      stdio: config.stdio,
      pid: this.init.pid,
    });
    this.deps.exits.claim(this.init.pid, (exit) => void this.onInitExit(exit));
  }

  process(execId: string): Process {
    if (!execId) return this.init;
    const exec = this.execs.get(execId);
    if (!exec) throw new NotFoundError(`process does not exist ${execId}`);
    return exec;
  }

  snapshot(execId: string): ProcessSnapshot {
    const p = this.process(execId);
    return { id: p.id, execId: p.execId, bundle: this.bundle, pid: p.pid, state: p.state, stdio: p.stdio, exit: p.exit };
  }

  async start(execId: string): Promise<number> {
    return execId ? this.startExec(this.process(execId)) : this.startInit();
  }

  private async startInit(): Promise<number> {
    const init = this.init;
    init.check('start');
    // Gate the exit before the runtime is even asked: the init may die at once.
    let finishStart!: () => void;
    this.starting.set(init, new Promise<void>((resolve) => (finishStart = resolve)));
    try {
      await this.deps.runtime.start(this.id);
      init.move('start');
      this.deps.emit({ type: 'start', containerId: this.id, pid: init.pid });
    } finally {
      this.starting.delete(init);
      finishStart();
    }
    return init.pid;
  }

  addExec(execId: string, processSpec: object, stdio: StdioConfig): void {
    if (!identifier.test(execId) || execId.length > 76) throw new InvalidArgumentError(`invalid exec id ${JSON.stringify(execId)}`);
    if (this.execs.has(execId)) throw new AlreadyExistsError(`id ${execId}`);
    this.assertInitRunning();
    this.execs.set(execId, new Process(this.id, execId, stdio));
    this.execSpecs.set(execId, { ...processSpec, terminal: stdio.terminal });
    this.deps.emit({ type: 'exec-added', containerId: this.id, execId });
  }

  private async startExec(exec: Process): Promise<number> {
    exec.check('start');
    this.assertInitRunning();
    let finishStart!: () => void;
    this.starting.set(exec, new Promise<void>((resolve) => (finishStart = resolve)));
    try {
      const io = await this.deps.createIO(exec.stdio, { containerId: this.id, execId: exec.execId });
      exec.io = io;
      const pidFile = join(this.bundle, `${exec.execId}.pid`);
      try {
        await this.deps.runtime.exec({
          id: this.id,
          process: this.execSpecs.get(exec.execId) ?? {},
          pidFile,
          stdio: io.runtimeStdio,
          consoleSocket: io.consoleSocket,
        });
        await io.attach();
        exec.pid = await readPidFile(pidFile);
      } catch (err) {
        io.close();
        exec.io = undefined;
        throw err;
      }
      exec.move('start');
      this.deps.emit({ type: 'exec-started', containerId: this.id, execId: exec.execId, pid: exec.pid });
      let emitted!: () => void;
      this.exitEmitted.set(exec, new Promise<void>((resolve) => (emitted = resolve)));
      this.deps.exits.claim(exec.pid, (exit) => void this.onExecExit(exec, exit).finally(emitted));
      return exec.pid;
    } finally {
      this.starting.delete(exec);
      finishStart();
    }
  }

  private assertInitRunning(): void {
    if (this.init.state !== 'running') {
      throw new FailedPreconditionError(`container ${this.id} init process is not running (${this.init.state})`);
    }
  }

  private async onExecExit(exec: Process, exit: ExitInfo): Promise<void> {
    await this.starting.get(exec);
    await exec.io?.drained(drainTimeoutMs);
    if (exec.state === 'deleted') return;
    exec.exited(exit);
    this.deps.emit({ type: 'exit', containerId: this.id, id: exec.execId, exit });
  }

  private async onInitExit(exit: ExitInfo): Promise<void> {
    await this.starting.get(this.init);
    if (!this.ownPidNamespace) {
      // Without its own pid namespace nothing kills the container's other processes for us.
      await this.deps.runtime.kill(this.id, SIGKILL, true).catch(() => undefined);
    }
    await Promise.all([...this.exitEmitted.values()]);
    await this.init.io?.drained(drainTimeoutMs);
    if (this.init.state === 'deleted') return;
    this.init.exited(exit);
    this.deps.emit({ type: 'exit', containerId: this.id, id: this.id, exit });
  }

  async kill(execId: string, signal: number, all: boolean): Promise<void> {
    const p = this.process(execId);
    assertSignalable(p.execId || p.id, p.state, p.isExec);
    if (!p.isExec) {
      await this.deps.runtime.kill(this.id, signal, all);
      return;
    }
    try {
      process.kill(p.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') throw new NotFoundError('process already finished');
      throw err;
    }
  }

  async pause(): Promise<void> {
    this.init.check('pause');
    await this.deps.runtime.pause(this.id);
    this.init.move('pause');
    this.deps.emit({ type: 'paused', containerId: this.id });
  }

  async resume(): Promise<void> {
    this.init.check('resume');
    await this.deps.runtime.resume(this.id);
    this.init.move('resume');
    this.deps.emit({ type: 'resumed', containerId: this.id });
  }

  /** Deletes an exec (no event), or the whole container (the delete event). */
  async delete(execId: string): Promise<ExitInfo> {
    return execId ? this.deleteExec(this.process(execId)) : this.deleteInit();
  }

  private async deleteExec(exec: Process): Promise<ExitInfo> {
    exec.move('delete');
    exec.io?.close();
    this.execs.delete(exec.execId);
    this.execSpecs.delete(exec.execId);
    this.exitEmitted.delete(exec);
    if (exec.pid) this.deps.exits.release(exec.pid);
    await rm(join(this.bundle, `${exec.execId}.pid`), { force: true });
    return exec.exit ?? { pid: exec.pid, status: 0, exitedAt: new Date(0) };
  }

  private async deleteInit(): Promise<ExitInfo> {
    const init = this.init;
    init.check('delete');
    if (init.state === 'created') {
      // Never started: the runtime's forced delete kills the waiting init; report its real exit.
      await this.deps.runtime.delete(this.id, true);
      await Promise.race([init.wait(), delay(deleteReapTimeoutMs)]);
    } else {
      await this.deps.runtime.delete(this.id, true);
    }
    const exit = init.exit ?? { pid: init.pid, status: 128 + SIGKILL, exitedAt: new Date() };
    init.move('delete');
    this.deps.exits.release(init.pid);
    this.dispose();
    this.deps.emit({ type: 'delete', containerId: this.id, exit });
    return exit;
  }

  /** Everything the container holds in the shim: IO, watches, rootfs mounts. */
  private dispose(): void {
    this.oomWatch?.close();
    this.oomWatch = undefined;
    for (const exec of this.execs.values()) exec.io?.close();
    this.init.io?.close();
    if (this.idmappedRootfs) this.deps.removeIdmappedRootfs(this.idmappedRootfs);
    unmountRootfs(this.deps.sys, join(this.bundle, 'rootfs'));
  }

  async pids(): Promise<Array<{ pid: number; execId: string }>> {
    const pids = this.cgroup ? await this.cgroup.pids() : await this.deps.runtime.ps(this.id);
    const byPid = new Map<number, string>();
    for (const exec of this.execs.values()) if (exec.pid) byPid.set(exec.pid, exec.execId);
    return pids.map((pid) => ({ pid, execId: byPid.get(pid) ?? '' }));
  }

  async stats(): Promise<{ typeUrl: string; metrics: object }> {
    if (!this.cgroup) throw new NotFoundError(`cgroup of container ${this.id} not found`);
    return this.cgroup.stats();
  }

  async update(resources: object): Promise<void> {
    await this.deps.runtime.update(this.id, resources);
  }

  closeStdin(execId: string): void {
    this.process(execId).io?.closeStdin();
  }

  resizePty(execId: string, cols: number, rows: number): void {
    this.process(execId).io?.resize(cols, rows);
  }
}

async function readPidFile(path: string): Promise<number> {
  const text = await readFile(path, 'utf8');
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) throw new InvalidArgumentError(`pid file ${path} holds no pid: ${JSON.stringify(text)}`);
  return pid;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
