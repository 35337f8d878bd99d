import { PipeProcessIO } from './pipe-process-io';
import type { ProcessIO, StdioConfig } from './process-io';
import type { ProcessIODeps } from './process-io-deps';
import { TerminalProcessIO } from './terminal-process-io';

/**
 * Builds a process's IO before the runtime runs: opens the client's FIFOs/files,
 * starts a binary:// logger, makes the pipes or the console socket. Rejects with
 * InvalidArgumentError for an unknown scheme and UnknownError when something
 * cannot be opened; nothing stays open on failure.
 */
export function createProcessIO(config: StdioConfig, deps: ProcessIODeps): Promise<ProcessIO> {
  return config.terminal ? TerminalProcessIO.create(config, deps) : PipeProcessIO.create(config, deps);
}
