/**
 * Pure argv builders for runc and crun. Both accept exactly these spellings
 * (checked against `runc --help` 1.1.5 and `crun --help` 1.8.1), so there is
 * one builder per subcommand and no per-runtime branch.
 * The container id always comes after the flags: runc's flag parser and
 * crun's in-order argp stop reading options at the first operand.
 */

export interface GlobalFlags {
  root: string;
  /** absent: runc and crun log to their stderr (checked: runc 1.1.5, crun 1.8.1) */
  logPath?: string;
  systemdCgroup?: boolean;
}

/** Flags that go before the subcommand; the log is JSON so the driver can pick out the error. */
export function globalArgs(flags: GlobalFlags): string[] {
  const log = flags.logPath === undefined ? [] : ['--log', flags.logPath];
  const args = ['--root', flags.root, ...log, '--log-format', 'json'];
  if (flags.systemdCgroup) args.push('--systemd-cgroup');
  return args;
}

export interface CreateArgs {
  id: string;
  bundle: string;
  pidFile: string;
  consoleSocket?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
}

export function createArgs(options: CreateArgs): string[] {
  const args = ['create', '--bundle', options.bundle, '--pid-file', options.pidFile];
  if (options.noPivot) args.push('--no-pivot');
  if (options.noNewKeyring) args.push('--no-new-keyring');
  if (options.consoleSocket !== undefined) args.push('--console-socket', options.consoleSocket);
  args.push(options.id);
  return args;
}

export function startArgs(id: string): string[] {
  return ['start', id];
}

export interface ExecArgs {
  id: string;
  /** path of the OCI Process JSON file */
  processPath: string;
  pidFile: string;
  consoleSocket?: string;
}

/** Always detached: the shim, as subreaper, waits for the process itself. */
export function execArgs(options: ExecArgs): string[] {
  const args = ['exec', '--detach', '--pid-file', options.pidFile, '--process', options.processPath];
  if (options.consoleSocket !== undefined) args.push('--console-socket', options.consoleSocket);
  args.push(options.id);
  return args;
}

/** The signal is passed as a number; runc and crun both accept numeric signals. */
export function killArgs(id: string, signal: number, all: boolean): string[] {
  return all ? ['kill', '--all', id, String(signal)] : ['kill', id, String(signal)];
}

export function deleteArgs(id: string, force: boolean): string[] {
  return force ? ['delete', '--force', id] : ['delete', id];
}

export function pauseArgs(id: string): string[] {
  return ['pause', id];
}

export function resumeArgs(id: string): string[] {
  return ['resume', id];
}

export function psArgs(id: string): string[] {
  return ['ps', '--format', 'json', id];
}

/**
 * `resourcesPath` may be "-" (stdin) for runc, but crun opens /dev/stdin,
 * which fails with ENXIO when stdin is a socket (as Node's 'pipe' stdio is),
 * so the driver passes a file.
 */
export function updateArgs(id: string, resourcesPath: string): string[] {
  return ['update', '--resources', resourcesPath, id];
}

export function stateArgs(id: string): string[] {
  return ['state', id];
}
