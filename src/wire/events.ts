/**
 * Codecs of the task events (containerd.events) and of the Forward call that carries them to
 * containerd's ttrpc socket (containerd.services.events.ttrpc.v1.Events).
 */
import { containerd, google } from './gen/events';
import type { AnyLike, AnyMessage } from './any';
import { timestampFromDate } from './timestamp';
import { TASK_EVENT_TYPE_URLS, type TaskEventName } from './type-urls';

export import TaskCreate = containerd.events.TaskCreate;
export import TaskIO = containerd.events.TaskIO;
export import TaskStart = containerd.events.TaskStart;
export import TaskExit = containerd.events.TaskExit;
export import TaskDelete = containerd.events.TaskDelete;
export import TaskExecAdded = containerd.events.TaskExecAdded;
export import TaskExecStarted = containerd.events.TaskExecStarted;
export import TaskPaused = containerd.events.TaskPaused;
export import TaskResumed = containerd.events.TaskResumed;
export import TaskOOM = containerd.events.TaskOOM;
export import TaskCheckpointed = containerd.events.TaskCheckpointed;
export import Mount = containerd.types.Mount;
export import ForwardRequest = containerd.services.events.ttrpc.v1.ForwardRequest;
export import Envelope = containerd.services.events.ttrpc.v1.Envelope;
export import Any = google.protobuf.Any;
export import Timestamp = google.protobuf.Timestamp;
export import Empty = google.protobuf.Empty;

export const EVENTS_SERVICE = 'containerd.services.events.ttrpc.v1.Events';
export const FORWARD_METHOD = 'Forward';

const TASK_EVENTS = {
  TaskCreate,
  TaskStart,
  TaskExit,
  TaskDelete,
  TaskExecAdded,
  TaskExecStarted,
  TaskPaused,
  TaskResumed,
  TaskOOM,
  TaskCheckpointed,
} satisfies Record<TaskEventName, unknown>;

/** The plain object each event is encoded from. */
export type TaskEventInput<N extends TaskEventName> = Parameters<(typeof TASK_EVENTS)[N]['encode']>[0];

/** The event as the Any an Envelope carries, under its bare type name. */
export function packTaskEvent<N extends TaskEventName>(name: N, event: TaskEventInput<N>): AnyMessage {
  // Each codec's encode takes its own $Properties; N ties `event` to `name` for callers.
  const codec = TASK_EVENTS[name] as { encode(m: TaskEventInput<N>): { finish(): Uint8Array } };
  return { typeUrl: TASK_EVENT_TYPE_URLS[name], value: codec.encode(event).finish() };
}

export interface ForwardInput {
  timestamp: Date;
  namespace: string;
  topic: string;
  event: AnyLike;
}

/** The payload of one Events.Forward call. */
export function encodeForwardRequest(envelope: ForwardInput): Uint8Array {
  return ForwardRequest.encode({
    envelope: { ...envelope, timestamp: timestampFromDate(envelope.timestamp) },
  }).finish();
}
