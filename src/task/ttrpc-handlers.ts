/**
 * The wire adapter: each Task RPC decodes its request, calls the TaskService and
 * encodes the reply. The same methods serve containerd.task.v2.Task and
 * containerd.task.v3.Task (their messages are byte-identical).
 */
import { InvalidArgumentError, UnimplementedError } from '../errors';
import { loadConfig } from '../config/load';
import type { ServiceMethods } from '../ttrpc/call-context';
import type { ProcessState } from '../process/state';
import { unpackJsonAny, type AnyLike } from '../wire/any';
import { packMetricsV1, packMetricsV2 } from '../wire/metrics';
import { decodeOptions, packProcessDetails } from '../wire/options';
import * as t from '../wire/task';
import { timestampFromDate } from '../wire/timestamp';
import { CGROUPS_V2_METRICS_TYPE_URL, OCI_LINUX_RESOURCES_TYPE_URL, OCI_PROCESS_TYPE_URL } from '../wire/type-urls';
import type { V1Metrics, V2Metrics } from '../cgroups/metrics';
import { configSourceFromOptions } from './runtime-options';
import type { TaskService } from './task-service';

export const taskServiceNames = [t.TASK_SERVICE_V2, t.TASK_SERVICE_V3] as const;

const Status = t.Status;
const empty = new Uint8Array(0);

const statusOf: Record<ProcessState, t.Status> = {
  created: Status.CREATED,
  running: Status.RUNNING,
  paused: Status.PAUSED,
  stopped: Status.STOPPED,
  deleted: Status.UNKNOWN,
};

export function taskMethods(service: TaskService): ServiceMethods {
  return {
    async Create(_ctx, payload) {
      const req = t.CreateTaskRequest.decode(payload);
      if (req.checkpoint) throw new UnimplementedError('restoring from a checkpoint is not supported by metassembly');
      const pid = await service.create({
        id: req.id,
        bundle: req.bundle,
        rootfs: req.rootfs.map((m) => ({ type: m.type ?? '', source: m.source ?? '', target: m.target ?? '', options: m.options ?? [] })),
        stdio: { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, terminal: req.terminal },
        config: loadConfig(configSourceFromOptions(decodeOptions(req.options))),
      });
      return t.CreateTaskResponse.encode({ pid }).finish();
    },
    async Start(_ctx, payload) {
      const req = t.StartRequest.decode(payload);
      return t.StartResponse.encode({ pid: await service.start(req.id, req.execId) }).finish();
    },
    async State(_ctx, payload) {
      const req = t.StateRequest.decode(payload);
      const p = service.state(req.id, req.execId);
      return t.StateResponse.encode({
        id: p.execId || p.id,
        bundle: p.bundle,
        pid: p.pid,
        status: statusOf[p.state],
        stdin: p.stdio.stdin,
        stdout: p.stdio.stdout,
        stderr: p.stdio.stderr,
        terminal: p.stdio.terminal,
        exitStatus: p.exit?.status ?? 0,
        exitedAt: p.exit ? timestampFromDate(p.exit.exitedAt) : undefined,
        execId: p.execId,
      }).finish();
    },
    async Delete(_ctx, payload) {
      const req = t.DeleteRequest.decode(payload);
      const exit = await service.delete(req.id, req.execId);
      return t.DeleteResponse.encode({ pid: exit.pid, exitStatus: exit.status, exitedAt: timestampFromDate(exit.exitedAt) }).finish();
    },
    async Pids(_ctx, payload) {
      const req = t.PidsRequest.decode(payload);
      const pids = await service.container(req.id).pids();
      return t.PidsResponse.encode({
        processes: pids.map(({ pid, execId }) => ({
          pid,
          info: execId ? packProcessDetails(execId) : undefined,
        })),
      }).finish();
    },
    async Pause(_ctx, payload) {
      await service.container(t.PauseRequest.decode(payload).id).pause();
      return empty;
    },
    async Resume(_ctx, payload) {
      await service.container(t.ResumeRequest.decode(payload).id).resume();
      return empty;
    },
    async Checkpoint() {
      throw new UnimplementedError('checkpoint is not supported by metassembly yet');
    },
    async Kill(_ctx, payload) {
      const req = t.KillRequest.decode(payload);
      await service.kill(req.id, req.execId, req.signal, req.all);
      return empty;
    },
    async Exec(_ctx, payload) {
      const req = t.ExecProcessRequest.decode(payload);
      const spec = jsonObject(req.spec, OCI_PROCESS_TYPE_URL, 'exec process spec');
      service.exec(req.id, req.execId, spec, { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, terminal: req.terminal });
      return empty;
    },
    async ResizePty(_ctx, payload) {
      const req = t.ResizePtyRequest.decode(payload);
      service.container(req.id).resizePty(req.execId, req.width, req.height);
      return empty;
    },
    async CloseIO(_ctx, payload) {
      const req = t.CloseIORequest.decode(payload);
      if (req.stdin) service.container(req.id).closeStdin(req.execId);
      return empty;
    },
    async Update(_ctx, payload) {
      const req = t.UpdateTaskRequest.decode(payload);
      await service.container(req.id).update(jsonObject(req.resources, OCI_LINUX_RESOURCES_TYPE_URL, 'resources'));
      return empty;
    },
    async Wait(_ctx, payload) {
      const req = t.WaitRequest.decode(payload);
      const exit = await service.wait(req.id, req.execId);
      return t.WaitResponse.encode({ exitStatus: exit.status, exitedAt: timestampFromDate(exit.exitedAt) }).finish();
    },
    async Stats(_ctx, payload) {
      const req = t.StatsRequest.decode(payload);
      const { typeUrl, metrics } = await service.container(req.id).stats();
      const stats = typeUrl === CGROUPS_V2_METRICS_TYPE_URL ? packMetricsV2(metrics as V2Metrics) : packMetricsV1(metrics as V1Metrics);
      return t.StatsResponse.encode({ stats }).finish();
    },
    async Connect(_ctx, payload) {
      const req = t.ConnectRequest.decode(payload);
      return t.ConnectResponse.encode({ shimPid: process.pid, taskPid: service.connect(req.id) }).finish();
    },
    async Shutdown() {
      service.shutdown();
      return empty;
    },
  };
}

/** OCI objects travel as Any with a JSON value. */
function jsonObject(any: AnyLike | null | undefined, typeUrl: string, what: string): object {
  if (!any?.value?.length) throw new InvalidArgumentError(`${what} is missing`);
  const value = unpackJsonAny(any, typeUrl);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(`${what} is not a JSON object`);
  return value;
}
