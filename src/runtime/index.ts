export type { CreateOptions, ExecOptions, OciRuntime, RuntimeState, RuntimeStdio } from './oci-runtime';
export { RuncRuntime, type RuncRuntimeOptions } from './runc-runtime';
export { classifyRuntimeFailure, type RuntimeCall, type RuntimeOutcome } from './runtime-errors';
