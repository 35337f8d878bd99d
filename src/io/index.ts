export type { ProcessIO, StdioConfig } from './process-io';
export { CONSOLE_TIMEOUT_MS, type ProcessIODeps } from './process-io-deps';
export { createProcessIO } from './create-process-io';
export { LOGGER_KILL_DELAY_MS } from './binary-logger';
