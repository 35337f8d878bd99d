/**
 * Codecs of the Task service (containerd.task.v2.Task; v3 uses the same bytes) and the types
 * its messages carry. Decode gives class instances whose absent fields read as proto3 defaults
 * ("" / 0 / false / null for messages); encode takes plain objects (`X.$Properties`).
 * 64-bit fields (Timestamp.seconds) are WireLong, see wire-long.ts. Decoded bytes fields
 * (Any.value) are views into the buffer that was decoded: copy them before reusing that buffer.
 */
import { containerd, google } from './gen/task';

export import CreateTaskRequest = containerd.task.v2.CreateTaskRequest;
export import CreateTaskResponse = containerd.task.v2.CreateTaskResponse;
export import StartRequest = containerd.task.v2.StartRequest;
export import StartResponse = containerd.task.v2.StartResponse;
export import DeleteRequest = containerd.task.v2.DeleteRequest;
export import DeleteResponse = containerd.task.v2.DeleteResponse;
export import ExecProcessRequest = containerd.task.v2.ExecProcessRequest;
export import ResizePtyRequest = containerd.task.v2.ResizePtyRequest;
export import StateRequest = containerd.task.v2.StateRequest;
export import StateResponse = containerd.task.v2.StateResponse;
export import KillRequest = containerd.task.v2.KillRequest;
export import CloseIORequest = containerd.task.v2.CloseIORequest;
export import PidsRequest = containerd.task.v2.PidsRequest;
export import PidsResponse = containerd.task.v2.PidsResponse;
export import CheckpointTaskRequest = containerd.task.v2.CheckpointTaskRequest;
export import UpdateTaskRequest = containerd.task.v2.UpdateTaskRequest;
export import WaitRequest = containerd.task.v2.WaitRequest;
export import WaitResponse = containerd.task.v2.WaitResponse;
export import StatsRequest = containerd.task.v2.StatsRequest;
export import StatsResponse = containerd.task.v2.StatsResponse;
export import ConnectRequest = containerd.task.v2.ConnectRequest;
export import ConnectResponse = containerd.task.v2.ConnectResponse;
export import ShutdownRequest = containerd.task.v2.ShutdownRequest;
export import PauseRequest = containerd.task.v2.PauseRequest;
export import ResumeRequest = containerd.task.v2.ResumeRequest;
export import Mount = containerd.types.Mount;
export import Status = containerd.v1.types.Status;
export import ProcessInfo = containerd.v1.types.ProcessInfo;
export import Any = google.protobuf.Any;
export import Timestamp = google.protobuf.Timestamp;
export import Empty = google.protobuf.Empty;

export const TASK_SERVICE_V2 = 'containerd.task.v2.Task';
/** containerd 2.x, when `start` answered with {"version":3,...}; same messages as v2. */
export const TASK_SERVICE_V3 = 'containerd.task.v3.Task';

/** Request and response codec of every Task RPC, keyed by ttrpc method name. */
export const TASK_METHODS = {
  State: { request: StateRequest, response: StateResponse },
  Create: { request: CreateTaskRequest, response: CreateTaskResponse },
  Start: { request: StartRequest, response: StartResponse },
  Delete: { request: DeleteRequest, response: DeleteResponse },
  Pids: { request: PidsRequest, response: PidsResponse },
  Pause: { request: PauseRequest, response: Empty },
  Resume: { request: ResumeRequest, response: Empty },
  Checkpoint: { request: CheckpointTaskRequest, response: Empty },
  Kill: { request: KillRequest, response: Empty },
  Exec: { request: ExecProcessRequest, response: Empty },
  ResizePty: { request: ResizePtyRequest, response: Empty },
  CloseIO: { request: CloseIORequest, response: Empty },
  Update: { request: UpdateTaskRequest, response: Empty },
  Wait: { request: WaitRequest, response: WaitResponse },
  Stats: { request: StatsRequest, response: StatsResponse },
  Connect: { request: ConnectRequest, response: ConnectResponse },
  Shutdown: { request: ShutdownRequest, response: Empty },
} as const;

export type TaskMethodName = keyof typeof TASK_METHODS;
/** What the handler of `M` receives. */
export type TaskRequest<M extends TaskMethodName> = ReturnType<(typeof TASK_METHODS)[M]['request']['decode']>;
/** What the handler of `M` returns, as a plain object. */
export type TaskResponse<M extends TaskMethodName> = Parameters<(typeof TASK_METHODS)[M]['response']['encode']>[0];
