/**
 * The one classifier of OCI runtime failures. The message is the runtime's
 * own words so that containerd shows the user what went wrong; the class
 * tells containerd what kind of failure it was.
 *
 * Messages checked on this host:
 *   runc 1.1.5  state/kill/delete/start/ps of an unknown id: "container does not exist"
 *               kill (without --all) of a stopped container: "container not running"
 *               create with a taken id: "runc create failed: container with given ID already exists"
 *   crun 1.8.1  unknown id: "error opening file `<root>/<id>/status`: No such file or directory",
 *               delete: "cannot open directory '<root>/<id>': No such file or directory";
 *               kill of an exited init: "kill container: No such process" (kill(2) ESRCH);
 *               `crun ps` of an unknown id writes only to stderr, not to the log.
 */
import type { CommandResult } from '../sys/sys';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  NotFoundError,
  ShimError,
  UnknownError,
} from '../errors';

export interface RuntimeCall {
  binary: string;
  /** "create", "kill", ... */
  subcommand: string;
  /** the container id the call was about */
  id: string;
  /** the runtime's --root, which crun names in its not-found messages */
  root: string;
}

/** How the call ended: it could not be spawned, or it ran and did not exit 0. */
export type RuntimeOutcome =
  | { spawnError: unknown }
  | { result: CommandResult; loggedError?: string };

export function classifyRuntimeFailure(call: RuntimeCall, outcome: RuntimeOutcome): ShimError {
  if ('spawnError' in outcome) return spawnFailure(call, outcome.spawnError);
  const message = outcome.loggedError ?? lastLine(outcome.result.stderr) ?? exitDescription(call, outcome.result);
  if (isNotFound(call, message)) return new NotFoundError(message);
  if (call.subcommand === 'create' && /already exists/i.test(message)) return new AlreadyExistsError(message);
  return new UnknownError(message);
}

/**
 * A runtime that is not installed is a host set-up problem, not a failure of
 * this request: FailedPrecondition says retrying will not help until the
 * host is fixed, and the message names the binary and where it was looked for.
 */
function spawnFailure(call: RuntimeCall, error: unknown): ShimError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    const where = call.binary.includes('/') ? '' : ` in PATH (${process.env.PATH ?? ''})`;
    return new FailedPreconditionError(`OCI runtime "${call.binary}" was not found${where}`, { cause: error });
  }
  if (code === 'EACCES') {
    return new FailedPreconditionError(`OCI runtime "${call.binary}" is not executable`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new UnknownError(`${call.binary} ${call.subcommand} could not be started: ${reason}`, { cause: error });
}

function isNotFound(call: RuntimeCall, message: string): boolean {
  // create never concerns an existing container; its "does not exist" is about the bundle.
  if (call.subcommand === 'create') return false;
  if (/does not exist/i.test(message)) return true;
  const stateDir = `${call.root.replace(/\/+$/, '')}/${call.id}`;
  if (message.includes(stateDir) && /no such file or directory/i.test(message)) return true;
  // Signalling a process that already ended: the init exited between our check and the kill.
  return call.subcommand === 'kill' && /container not running|no such process|process already finished/i.test(message);
}

function lastLine(text: string): string | undefined {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.length > 0 ? lines[lines.length - 1] : undefined;
}

function exitDescription(call: RuntimeCall, result: CommandResult): string {
  const how = result.signal !== null ? `killed by signal ${result.signal}` : `exit status ${result.exitCode}`;
  return `${call.binary} ${call.subcommand} failed: ${how}`;
}
