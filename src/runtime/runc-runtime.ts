/**
 * The OciRuntime port driven through the runc command line; crun speaks the
 * same command line, so the binary is just configuration.
 * Every spawn goes through the CommandRunner so the reaper knows each pid.
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CommandOptions, CommandResult, CommandRunner } from '../sys/sys';
import { NotFoundError, UnknownError } from '../errors';
import type { CreateOptions, ExecOptions, OciRuntime, RuntimeState } from './oci-runtime';
import {
  createArgs,
  deleteArgs,
  execArgs,
  globalArgs,
  killArgs,
  pauseArgs,
  psArgs,
  resumeArgs,
  startArgs,
  stateArgs,
  updateArgs,
} from './args';
import { classifyRuntimeFailure, type RuntimeCall } from './runtime-errors';
import { lastErrorEntry, lastLoggedError, logOffset } from './runtime-log';

export interface RuncRuntimeOptions {
  /** "runc", "crun" or a path */
  binary: string;
  /** the runtime's state directory (--root), e.g. /run/containerd/runc/<namespace> */
  root: string;
  runner: CommandRunner;
  systemdCgroup?: boolean;
  /**
   * One log file for every call, as the runc shim uses <bundle>/log.json when
   * a driver serves one container. Without it, create logs to <bundle>/log.json
   * (where containerd users look), exec and update to a scratch file of their
   * own, and the other calls to their stderr, which is piped and read back.
   */
  logPath?: string;
  /** where scratch directories (process JSON, resources JSON, call logs) are made; default os.tmpdir() */
  tempDir?: string;
}

interface Invocation {
  id: string;
  args: string[];
  /** absent: the runtime logs to its stderr, which stdio must then pipe */
  logPath?: string;
  stdio: CommandOptions['stdio'];
}

/** Calls that only talk to the runtime: stdout carries their answer. */
const QUERY_STDIO: CommandOptions['stdio'] = ['ignore', 'pipe', 'pipe'];

export class RuncRuntime implements OciRuntime {
  readonly binary: string;
  private readonly root: string;
  private readonly runner: CommandRunner;
  private readonly systemdCgroup: boolean;
  private readonly logPath: string | undefined;
  private readonly tempDir: string;
  private specVersion: Promise<string | undefined> | undefined;

  constructor(options: RuncRuntimeOptions) {
    this.binary = options.binary;
    this.root = options.root;
    this.runner = options.runner;
    this.systemdCgroup = options.systemdCgroup ?? false;
    this.logPath = options.logPath;
    this.tempDir = options.tempDir ?? os.tmpdir();
  }

  async create(options: CreateOptions): Promise<void> {
    // The container inherits these fds, so nothing is piped: a pipe would stay
    // open as long as the container and the call would never end.
    await this.invoke({
      id: options.id,
      args: createArgs(options),
      logPath: this.logPath ?? path.join(options.bundle, 'log.json'),
      stdio: options.stdio,
    });
  }

  async start(id: string): Promise<void> {
    await this.query(id, startArgs(id));
  }

  async exec(options: ExecOptions): Promise<void> {
    await this.withScratch(async (scratch) => {
      const processPath = path.join(scratch, 'process.json');
      await fs.writeFile(processPath, JSON.stringify(options.process), { mode: 0o600 });
      await this.invoke({
        id: options.id,
        args: execArgs({ id: options.id, processPath, pidFile: options.pidFile, consoleSocket: options.consoleSocket }),
        logPath: this.logPath ?? path.join(scratch, 'log.json'),
        stdio: options.stdio,
      });
    });
  }

  async kill(id: string, signal: number, all: boolean): Promise<void> {
    await this.query(id, killArgs(id, signal, all));
  }

  async delete(id: string, force: boolean): Promise<void> {
    try {
      await this.query(id, deleteArgs(id, force));
    } catch (err) {
      // runc and crun already succeed here; the port promises it whatever the runtime.
      if (force && err instanceof NotFoundError) return;
      throw err;
    }
  }

  async pause(id: string): Promise<void> {
    await this.query(id, pauseArgs(id));
  }

  async resume(id: string): Promise<void> {
    await this.query(id, resumeArgs(id));
  }

  async ps(id: string): Promise<number[]> {
    const result = await this.query(id, psArgs(id));
    // runc prints "null" when the container has no processes left.
    const pids = this.parseJson(id, 'ps', result.stdout) ?? [];
    if (!Array.isArray(pids) || !pids.every((pid) => Number.isInteger(pid))) {
      throw new UnknownError(`${this.binary} ps: expected a JSON array of pids, got ${result.stdout.trim()}`);
    }
    return pids as number[];
  }

  async update(id: string, resources: object): Promise<void> {
    await this.withScratch(async (scratch) => {
      const resourcesPath = path.join(scratch, 'resources.json');
      await fs.writeFile(resourcesPath, JSON.stringify(resources), { mode: 0o600 });
      await this.invoke({
        id,
        args: updateArgs(id, resourcesPath),
        logPath: this.logPath ?? path.join(scratch, 'log.json'),
        stdio: QUERY_STDIO,
      });
    });
  }

  async enforcedSpecVersion(): Promise<string | undefined> {
    if (path.basename(this.binary) !== 'crun') return undefined;
    this.specVersion ??= this.runner
      .run(this.binary, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] })
      .then((result) => parseSpecVersion(result.stdout))
      .catch(() => undefined);
    return this.specVersion;
  }

  async state(id: string): Promise<RuntimeState> {
    const result = await this.query(id, stateArgs(id));
    const state = this.parseJson(id, 'state', result.stdout) as Partial<RuntimeState> | null;
    if (
      state === null ||
      typeof state !== 'object' ||
      typeof state.id !== 'string' ||
      typeof state.pid !== 'number' ||
      typeof state.status !== 'string' ||
      typeof state.bundle !== 'string'
    ) {
      throw new UnknownError(`${this.binary} state: unexpected output ${result.stdout.trim()}`);
    }
    return { id: state.id, pid: state.pid, status: state.status, bundle: state.bundle };
  }

  /**
   * A call with no files of its own: its log is the shared one, else its stderr (no scratch
   * directory to make and remove around every start, kill and delete).
   */
  private query(id: string, args: string[]): Promise<CommandResult> {
    return this.invoke({ id, args, logPath: this.logPath, stdio: QUERY_STDIO });
  }

  private async invoke(invocation: Invocation): Promise<CommandResult> {
    const call: RuntimeCall = { binary: this.binary, subcommand: invocation.args[0], id: invocation.id, root: this.root };
    const offset = invocation.logPath === undefined ? 0 : await logOffset(invocation.logPath);
    const argv = [
      ...globalArgs({ root: this.root, logPath: invocation.logPath, systemdCgroup: this.systemdCgroup }),
      ...invocation.args,
    ];
    let result: CommandResult;
    try {
      result = await this.runner.run(this.binary, argv, { stdio: invocation.stdio });
    } catch (spawnError) {
      throw classifyRuntimeFailure(call, { spawnError });
    }
    if (result.exitCode === 0) return result;
    const loggedError =
      invocation.logPath === undefined ? lastErrorEntry(result.stderr) : await lastLoggedError(invocation.logPath, offset);
    throw classifyRuntimeFailure(call, { result, loggedError });
  }

  private async withScratch<T>(use: (dir: string) => Promise<T>): Promise<T> {
    const dir = await fs.mkdtemp(path.join(this.tempDir, 'metassembly-runtime-'));
    try {
      return await use(dir);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  private parseJson(id: string, subcommand: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new UnknownError(`${this.binary} ${subcommand} ${id}: output is not JSON: ${text.trim()}`, { cause: err });
    }
  }
}

/** The `spec: X` line of `<runtime> --version`. */
export function parseSpecVersion(versionOutput: string): string | undefined {
  return /^spec:\s*(\S+)\s*$/m.exec(versionOutput)?.[1];
}
