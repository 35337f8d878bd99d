/**
 * Domain lifecycle events -> containerd's /tasks/* topics and messages
 * (package containerd.events; the Any type URL is the bare proto name).
 */
import type { LifecycleEvent } from '../process/lifecycle-event';
import type { AnyMessage } from '../wire/any';
import { packTaskEvent } from '../wire/events';
import { timestampFromDate } from '../wire/timestamp';

export interface WireEvent {
  topic: string;
  event: AnyMessage;
}

export function toWireEvent(e: LifecycleEvent): WireEvent {
  switch (e.type) {
    case 'create':
      return {
        topic: '/tasks/create',
        event: packTaskEvent('TaskCreate', {
          containerId: e.containerId,
          bundle: e.bundle,
          rootfs: e.rootfs,
          io: { stdin: e.stdio.stdin, stdout: e.stdio.stdout, stderr: e.stdio.stderr, terminal: e.stdio.terminal },
          pid: e.pid,
        }),
      };
    case 'start':
      return { topic: '/tasks/start', event: packTaskEvent('TaskStart', { containerId: e.containerId, pid: e.pid }) };
    case 'exit':
      return {
        topic: '/tasks/exit',
        event: packTaskEvent('TaskExit', {
          containerId: e.containerId,
          id: e.id,
          pid: e.exit.pid,
          exitStatus: e.exit.status,
          exitedAt: timestampFromDate(e.exit.exitedAt),
        }),
      };
    case 'delete':
      return {
        topic: '/tasks/delete',
        event: packTaskEvent('TaskDelete', {
          containerId: e.containerId,
          pid: e.exit.pid,
          exitStatus: e.exit.status,
          exitedAt: timestampFromDate(e.exit.exitedAt),
        }),
      };
    case 'exec-added':
      return { topic: '/tasks/exec-added', event: packTaskEvent('TaskExecAdded', { containerId: e.containerId, execId: e.execId }) };
    case 'exec-started':
      return {
        topic: '/tasks/exec-started',
        event: packTaskEvent('TaskExecStarted', { containerId: e.containerId, execId: e.execId, pid: e.pid }),
      };
    case 'paused':
      return { topic: '/tasks/paused', event: packTaskEvent('TaskPaused', { containerId: e.containerId }) };
    case 'resumed':
      return { topic: '/tasks/resumed', event: packTaskEvent('TaskResumed', { containerId: e.containerId }) };
    case 'oom':
      return { topic: '/tasks/oom', event: packTaskEvent('TaskOOM', { containerId: e.containerId }) };
  }
}
