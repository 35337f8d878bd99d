/**
 * Domain lifecycle events -> containerd's /tasks/* topics and messages
 * (package containerd.events; the Any type URL is the bare proto name).
 */
import type { LifecycleEvent } from '../process/lifecycle-event';
import { containerd } from '../wire/gen/events';
import { toTimestamp } from './timestamp';

const ev = containerd.events;

export interface WireEvent {
  topic: string;
  event: { typeUrl: string; value: Uint8Array };
}

export function toWireEvent(e: LifecycleEvent): WireEvent {
  switch (e.type) {
    case 'create':
      return wire('/tasks/create', 'TaskCreate', ev.TaskCreate.encode({
        containerId: e.containerId,
        bundle: e.bundle,
        rootfs: e.rootfs,
        io: { stdin: e.stdio.stdin, stdout: e.stdio.stdout, stderr: e.stdio.stderr, terminal: e.stdio.terminal },
        pid: e.pid,
      }).finish());
    case 'start':
      return wire('/tasks/start', 'TaskStart', ev.TaskStart.encode({ containerId: e.containerId, pid: e.pid }).finish());
    case 'exit':
      return wire('/tasks/exit', 'TaskExit', ev.TaskExit.encode({
        containerId: e.containerId,
        id: e.id,
        pid: e.exit.pid,
        exitStatus: e.exit.status,
        exitedAt: toTimestamp(e.exit.exitedAt),
      }).finish());
    case 'delete':
      return wire('/tasks/delete', 'TaskDelete', ev.TaskDelete.encode({
        containerId: e.containerId,
        pid: e.exit.pid,
        exitStatus: e.exit.status,
        exitedAt: toTimestamp(e.exit.exitedAt),
      }).finish());
    case 'exec-added':
      return wire('/tasks/exec-added', 'TaskExecAdded', ev.TaskExecAdded.encode({ containerId: e.containerId, execId: e.execId }).finish());
    case 'exec-started':
      return wire('/tasks/exec-started', 'TaskExecStarted', ev.TaskExecStarted.encode({
        containerId: e.containerId,
        execId: e.execId,
        pid: e.pid,
      }).finish());
    case 'paused':
      return wire('/tasks/paused', 'TaskPaused', ev.TaskPaused.encode({ containerId: e.containerId }).finish());
    case 'resumed':
      return wire('/tasks/resumed', 'TaskResumed', ev.TaskResumed.encode({ containerId: e.containerId }).finish());
    case 'oom':
      return wire('/tasks/oom', 'TaskOOM', ev.TaskOOM.encode({ containerId: e.containerId }).finish());
  }
}

function wire(topic: string, message: string, value: Uint8Array): WireEvent {
  return { topic, event: { typeUrl: `containerd.events.${message}`, value } };
}
