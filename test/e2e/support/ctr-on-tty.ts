import { runCommand, type Containerd, type RunResult } from '../harness';

export interface TerminalSize {
  rows: number;
  cols: number;
}

/**
 * Runs ctr on the harness' pseudo-terminal with a known size, and optionally resizes that
 * terminal while ctr runs. ctr sends ResizePty with its terminal's size after starting the task
 * and again on every SIGWINCH, which the kernel sends when the size changes. The resize runs
 * in the background, where a non-interactive sh gives jobs /dev/null as stdin: hence /dev/tty.
 */
export function ctrOnTty(
  cd: Containerd,
  args: readonly string[],
  opts: { size: TerminalSize; resizeTo?: TerminalSize; resizeAfterMs?: number; timeoutMs?: number },
): Promise<RunResult> {
  const { size, resizeTo } = opts;
  const resize = resizeTo
    ? `(sleep ${(opts.resizeAfterMs ?? 1_000) / 1_000}; stty rows ${resizeTo.rows} cols ${resizeTo.cols} </dev/tty) & `
    : '';
  const script = `stty rows ${size.rows} cols ${size.cols}; ${resize}exec "$0" "$@"`;
  return runCommand(
    'sh',
    ['-c', script, cd.version.ctr, '--address', cd.address, '--namespace', cd.namespace, ...args],
    { tty: true, timeoutMs: opts.timeoutMs ?? 30_000 },
  );
}
