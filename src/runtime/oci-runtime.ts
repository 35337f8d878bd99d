/**
 * The OCI runtime port: what the process layer asks of runc or crun.
 * Every failure is a ShimError whose message is the runtime's own error
 * (taken from its JSON log), so containerd shows the user what went wrong.
 */

/** fds the runtime process gets as its stdio; the container inherits them when there is no terminal. */
export type RuntimeStdio = [number | 'ignore', number | 'ignore', number | 'ignore'];

export interface CreateOptions {
  id: string;
  bundle: string;
  pidFile: string;
  stdio: RuntimeStdio;
  consoleSocket?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
}

export interface ExecOptions {
  id: string;
  /** OCI Process object, written by the driver to a temp file for --process */
  process: object;
  pidFile: string;
  stdio: RuntimeStdio;
  consoleSocket?: string;
}

export interface RuntimeState {
  id: string;
  pid: number;
  /** "created" | "running" | "paused" | "stopped" as the runtime reports it */
  status: string;
  bundle: string;
}

export interface OciRuntime {
  /** binary name or path, e.g. "runc" or "/usr/bin/crun" */
  readonly binary: string;
  create(options: CreateOptions): Promise<void>;
  start(id: string): Promise<void>;
  exec(options: ExecOptions): Promise<void>;
  kill(id: string, signal: number, all: boolean): Promise<void>;
  /** force: kill the container first if it still runs; success if it does not exist */
  delete(id: string, force: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** pids of every process in the container */
  ps(id: string): Promise<number[]>;
  /** resources: OCI LinuxResources object */
  update(id: string, resources: object): Promise<void>;
  state(id: string): Promise<RuntimeState>;
  /**
   * The newest OCI spec version the runtime accepts, if it refuses newer ones (crun does,
   * runc does not). Asked once per runtime binary.
   */
  enforcedSpecVersion(): Promise<string | undefined>;
}
