import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the child's stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string | Buffer;
  /** The child's whole process group is killed after this long (default 60 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Runs the command on a pseudo-terminal (through util-linux `script`), for `ctr run -t`. */
  tty?: boolean;
}

export interface RunResult {
  /** Exit status, or null when the child died of a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs a command to completion and collects its output; never rejects on a non-zero exit. */
export function runCommand(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, argv] = opts.tty
    ? ['script', ['--quiet', '--return', '--flush', '--command', [file, ...args].map(shellQuote).join(' '), '/dev/null']]
    : [file, [...args]];
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout also kills whatever the command started.
    const child = spawn(cmd, argv, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, opts.timeoutMs ?? 60_000);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
    if (opts.stdin !== undefined) {
      child.stdin!.on('error', () => undefined); // the child may exit without reading
      child.stdin!.end(opts.stdin);
    }
  });
}
