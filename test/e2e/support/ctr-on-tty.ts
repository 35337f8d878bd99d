import { runCommand, type Containerd, type RunResult } from '../harness';

export interface TerminalSize {
  rows: number;
  cols: number;
}

export interface TtyResize {
  to: TerminalSize;
  /** The resize waits for this task to be RUNNING (ctr sends its first ResizePty right after Start)... */
  taskId: string;
  /** ...and then this long, for the container to have seen the first size (default 1 s). */
  settleMs?: number;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs ctr on the harness' pseudo-terminal with a known size, and optionally resizes that
 * terminal while ctr runs. ctr sends ResizePty with its terminal's size after starting the task
 * and again on every SIGWINCH, which the kernel sends when the size changes. The resize runs
 * in the background, where a non-interactive sh gives jobs /dev/null as stdin: hence /dev/tty.
 */
export function ctrOnTty(
  cd: Containerd,
  args: readonly string[],
  opts: { size: TerminalSize; resize?: TtyResize; timeoutMs?: number },
): Promise<RunResult> {
  const { size, resize } = opts;
  const ctr = [cd.version.ctr, '--address', cd.address, '--namespace', cd.namespace].map(quote).join(' ');
  const background = resize
    ? `(until ${ctr} task ls 2>/dev/null | grep -q ${quote(`^${resize.taskId}\\s.*RUNNING`)}; do sleep 0.1; done; ` +
      `sleep ${(resize.settleMs ?? 1_000) / 1_000}; stty rows ${resize.to.rows} cols ${resize.to.cols} </dev/tty) & `
    : '';
  const script = `stty rows ${size.rows} cols ${size.cols}; ${background}exec "$0" "$@"`;
  return runCommand(
    'sh',
    ['-c', script, cd.version.ctr, '--address', cd.address, '--namespace', cd.namespace, ...args],
    { tty: true, timeoutMs: opts.timeoutMs ?? 30_000 },
  );
}
