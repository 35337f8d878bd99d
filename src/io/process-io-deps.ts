import type { CommandRunner, Sys } from '../sys/sys';

/** What createProcessIO needs from the shim around it. */
export interface ProcessIODeps {
  sys: Sys;
  /**
   * Part of the agreed factory signature; unused: the only helper this module
   * starts, a binary:// logger, is long-lived and spawned directly (see binary-logger.ts).
   */
  runner: CommandRunner;
  containerId: string;
  namespace: string;
  /** Where terminal processes get their --console-socket (created 0700 if missing). */
  consoleDir: string;
  /** How long to wait for the runtime to send the pty master; default CONSOLE_TIMEOUT_MS. */
  consoleTimeoutMs?: number;
}

/** The runc shim gives the console 30 s after create. */
export const CONSOLE_TIMEOUT_MS = 30_000;
