/**
 * The wire adapter: each Task RPC decodes its request, calls the TaskService and
 * encodes the reply. The same methods serve containerd.task.v2.Task and
 * containerd.task.v3.Task (their messages are byte-identical).
 */
import { InvalidArgumentError, UnimplementedError } from '../errors';
import { loadConfig } from '../config/load';
import type { ServiceMethods } from '../ttrpc/call-context';
import type { ProcessState } from '../process/state';
import { containerd, google } from '../wire/gen/task';
import { containerd as runcTypes } from '../wire/gen/options';
import { io } from '../wire/gen/metrics';
import { configSourceFromAny } from './runtime-options';
import type { TaskService } from './task-service';
import { toTimestamp } from './timestamp';

export const taskServiceNames = ['containerd.task.v2.Task', 'containerd.task.v3.Task'] as const;

const t = containerd.task.v2;
const Status = containerd.v1.types.Status;
const empty = new Uint8Array(0);

const statusOf: Record<ProcessState, containerd.v1.types.Status> = {
  created: Status.CREATED,
  running: Status.RUNNING,
  paused: Status.PAUSED,
  stopped: Status.STOPPED,
  deleted: Status.UNKNOWN,
};

const OCI_PROCESS = 'types.containerd.io/opencontainers/runtime-spec/1/Process';
const OCI_RESOURCES = 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';

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
        config: loadConfig(configSourceFromAny(req.options)),
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
        exitedAt: toTimestamp(p.exit?.exitedAt),
        execId: p.execId,
      }).finish();
    },
    async Delete(_ctx, payload) {
      const req = t.DeleteRequest.decode(payload);
      const exit = await service.delete(req.id, req.execId);
      return t.DeleteResponse.encode({ pid: exit.pid, exitStatus: exit.status, exitedAt: toTimestamp(exit.exitedAt) }).finish();
    },
    async Pids(_ctx, payload) {
      const req = t.PidsRequest.decode(payload);
      const pids = await service.container(req.id).pids();
      return t.PidsResponse.encode({
        processes: pids.map(({ pid, execId }) => ({
          pid,
          info: execId
            ? { type_url: 'containerd.runc.v1.ProcessDetails', value: runcTypes.runc.v1.ProcessDetails.encode({ execId }).finish() }
            : undefined,
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
      const spec = jsonAny(req.spec, OCI_PROCESS, 'exec process spec');
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
      await service.container(req.id).update(jsonAny(req.resources, OCI_RESOURCES, 'resources'));
      return empty;
    },
    async Wait(_ctx, payload) {
      const req = t.WaitRequest.decode(payload);
      const exit = await service.wait(req.id, req.execId);
      return t.WaitResponse.encode({ exitStatus: exit.status, exitedAt: toTimestamp(exit.exitedAt) }).finish();
    },
    async Stats(_ctx, payload) {
      const req = t.StatsRequest.decode(payload);
      const { typeUrl, metrics } = await service.container(req.id).stats();
      const codec = typeUrl === 'io.containerd.cgroups.v2.Metrics' ? io.containerd.cgroups.v2.Metrics : io.containerd.cgroups.v1.Metrics;
      return t.StatsResponse.encode({ stats: { type_url: typeUrl, value: codec.encode(metrics as never).finish() } }).finish();
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
function jsonAny(any: google.protobuf.Any.$Properties | null | undefined, expected: string, what: string): object {
  if (!any?.value?.length) throw new InvalidArgumentError(`${what} is missing`);
  if (any.type_url && !any.type_url.endsWith(expected.slice(expected.indexOf('/')))) {
    throw new InvalidArgumentError(`${what}: unexpected type ${any.type_url}, want ${expected}`);
  }
  try {
    const value = JSON.parse(Buffer.from(any.value).toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
    return value;
  } catch (err) {
    throw new InvalidArgumentError(`${what}: ${(err as Error).message}`);
  }
}
