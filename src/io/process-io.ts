/**
 * The IO of one container process (init or exec) as the process layer sees it.
 * Paths come from CreateTaskRequest / ExecProcessRequest: "" = not connected,
 * a plain path = FIFO created by the client, file:///abs = append to a file,
 * binary:///abs/logger?k=v = a logger program (stdout and stderr only).
 */
import type { RuntimeStdio } from '../runtime/oci-runtime';

export interface StdioConfig {
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

export interface ProcessIO {
  /** fds to hand to the OCI runtime as 0, 1, 2 (the container inherits them without a terminal). */
  readonly runtimeStdio: RuntimeStdio;
  /** with a terminal: the --console-socket path to give the runtime. */
  readonly consoleSocket?: string;
  /**
   * Call after the runtime's create/exec returned successfully: closes our copies of the
   * child's ends and, with a terminal, receives the pty master and starts copying.
   */
  attach(): Promise<void>;
  /** CloseIO(stdin): EOF to the process's stdin. */
  closeStdin(): void;
  /** ResizePty; a no-op without a terminal. */
  resize(cols: number, rows: number): void;
  /** Resolves when everything the process wrote has been copied out, or after timeoutMs. */
  drained(timeoutMs: number): Promise<void>;
  /** Releases every fd, pipe, console and logger. Idempotent. */
  close(): void;
}
