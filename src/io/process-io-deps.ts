import type { CommandRunner, Sys } from '../sys/sys';

/** What createProcessIO needs from the shim around it. */
export interface ProcessIODeps {
  sys: Sys;
  /** Told about the binary:// logger this module spawns, so the reaper leaves it to libuv. */
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
