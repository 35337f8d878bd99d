/**
 * The lifecycle of one container process (init or exec) as one transition table.
 * Everything that asks a process to change state goes through `transition`, so an
 * illegal move is refused in one place, with the status code containerd expects.
 */
import { FailedPreconditionError, NotFoundError } from '../errors';

export type ProcessState = 'created' | 'running' | 'paused' | 'stopped' | 'deleted';

export type ProcessAction = 'start' | 'pause' | 'resume' | 'exit' | 'delete';

const table: Record<ProcessState, Partial<Record<ProcessAction, ProcessState>>> = {
  created: { start: 'running', exit: 'stopped', delete: 'deleted' },
  running: { pause: 'paused', exit: 'stopped' },
  // A frozen process can still be killed; its exit is seen once it thaws or dies.
  paused: { resume: 'running', exit: 'stopped' },
  stopped: { delete: 'deleted' },
  deleted: {},
};

/** The state `action` leads to from `from`, or the error that refuses it. */
export function transition(id: string, from: ProcessState, action: ProcessAction): ProcessState {
  const to = table[from][action];
  if (to !== undefined) return to;
  if (from === 'deleted') throw new NotFoundError(`process ${id} does not exist`);
  throw new FailedPreconditionError(refusal(id, from, action));
}

function refusal(id: string, from: ProcessState, action: ProcessAction): string {
  switch (action) {
    case 'start':
      return from === 'stopped' ? `process ${id} has already exited` : `process ${id} is already started (${from})`;
    case 'pause':
      return `cannot pause process ${id}: it is ${from}`;
    case 'resume':
      return `cannot resume process ${id}: it is ${from}, not paused`;
    case 'delete':
      return `cannot delete a running process ${id} (${from}): kill it first`;
    case 'exit':
      return `process ${id} already exited`;
  }
}

/** Whether signals may still be delivered; a finished process answers NotFound as runc-v2 does. */
export function assertSignalable(id: string, state: ProcessState, isExec: boolean): void {
  if (state === 'stopped') throw new NotFoundError('process already finished');
  if (state === 'deleted') throw new NotFoundError(`process ${id} does not exist`);
  if (isExec && state === 'created') throw new FailedPreconditionError(`process ${id} has not been started`);
}
