import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CreateTaskRequest,
  DeleteResponse,
  PidsResponse,
  StateResponse,
  Status,
  TASK_METHODS,
  TASK_SERVICE_V2,
  TASK_SERVICE_V3,
  UpdateTaskRequest,
  WaitResponse,
  Empty,
} from '../../../src/wire/task';
import { decodeOptions, packProcessDetails, ProcessDetails } from '../../../src/wire/options';
import { i64 } from '../../../src/wire/wire-long';
import { nanosFromTimestamp } from '../../../src/wire/timestamp';
import { bytes, hexOf, text } from './golden';

const repoRoot = resolve(__dirname, '../../../..');

test('DeleteResponse: pid:1, exit_status:2, exited_at:3 (the delete command stdout)', () => {
  const out = DeleteResponse.encode({ pid: 779, exitStatus: 137, exitedAt: { seconds: i64(1700000000), nanos: 5 } }).finish();
  // 08 <779 = 8b 06> 10 <137 = 89 01> 1a <len 8> Timestamp{08 <1700000000 = 80 e2 cf aa 06> 10 05}
  assert.is(hexOf(out), hexOf(bytes('08 8b06 10 8901 1a 08 08 80e2cfaa06 10 05')));
  const back = DeleteResponse.decode(out);
  assert.is(back.pid, 779);
  assert.is(back.exitStatus, 137);
  assert.is(nanosFromTimestamp(back.exitedAt!), 1700000000_000000005n);
});

test('StateResponse: status enum at 4, terminal 8, exit_status 9, exec_id 11', () => {
  const out = StateResponse.encode({ id: 'c', pid: 7, status: Status.STOPPED, terminal: true, exitStatus: 2, execId: 'e' }).finish();
  assert.is(hexOf(out), hexOf(bytes('0a 01', text('c'), '18 07', '20 03', '40 01', '48 02', '5a 01', text('e'))));
  const back = StateResponse.decode(out);
  assert.is(back.status, Status.STOPPED);
  assert.is(back.bundle, '', 'absent strings read as ""');
  assert.is(back.exitedAt, null, 'absent messages read as null');
});

test('Status enum numbers match containerd.v1.types.Status', () => {
  assert.equal([Status.UNKNOWN, Status.CREATED, Status.RUNNING, Status.STOPPED, Status.PAUSED, Status.PAUSING], [0, 1, 2, 3, 4, 5]);
});

test('CreateTaskRequest decodes rootfs mounts (3) and options (10) from golden bytes', () => {
  const mount = bytes('0a 07', text('overlay'), '12 07', text('overlay'), '22 02', text('ro'));
  const runtimeOptions = bytes('12 02', text('/c')); // runtimeoptions.v1.Options{config_path:2}
  const any = bytes('0a 19', text('runtimeoptions.v1.Options'), '12 04', runtimeOptions);
  const wire = bytes('0a 01', text('c'), '12 02', text('/b'), '1a 16', mount, '32 02', text('/o'), '52 21', any);
  const req = CreateTaskRequest.decode(wire);
  assert.is(req.id, 'c');
  assert.is(req.bundle, '/b');
  assert.is(req.rootfs.length, 1);
  assert.is(req.rootfs[0]!.type, 'overlay');
  assert.is(req.rootfs[0]!.source, 'overlay');
  assert.is(req.rootfs[0]!.target, '');
  assert.equal(req.rootfs[0]!.options, ['ro']);
  assert.is(req.stdin, '');
  assert.is(req.stdout, '/o');
  assert.is(req.terminal, false);
  const options = decodeOptions(req.options);
  assert.is(options.kind, 'runtimeoptions');
  assert.is(options.kind === 'runtimeoptions' && options.options.configPath, '/c');
  assert.is(hexOf(CreateTaskRequest.encode(req).finish()), hexOf(wire), 'encodes back to the same bytes');
});

test('WaitResponse: exit_status:1, exited_at:2', () => {
  const out = WaitResponse.encode({ exitStatus: 1, exitedAt: { seconds: i64(1), nanos: 0 } }).finish();
  assert.is(hexOf(out), hexOf(bytes('08 01', '12 02 08 01')));
});

test('UpdateTaskRequest annotations map (3) round-trips', () => {
  const out = UpdateTaskRequest.encode({ id: 'c', annotations: { k: 'v' } }).finish();
  // map entry {key:1, value:2} under field 3
  assert.is(hexOf(out), hexOf(bytes('0a 01', text('c'), '1a 06 0a 01', text('k'), '12 01', text('v'))));
  assert.equal({ ...UpdateTaskRequest.decode(out).annotations }, { k: 'v' });
});

test('PidsResponse carries ProcessDetails for execs', () => {
  const out = PidsResponse.encode({ processes: [{ pid: 10 }, { pid: 11, info: packProcessDetails('x1') }] }).finish();
  const back = PidsResponse.decode(out);
  assert.is(back.processes.length, 2);
  assert.is(back.processes[0]!.info, null);
  assert.is(back.processes[1]!.info!.typeUrl, 'containerd.runc.v1.ProcessDetails');
  assert.is(ProcessDetails.decode(back.processes[1]!.info!.value!).execId, 'x1');
});

test('Empty encodes to zero bytes', () => {
  assert.is(Empty.encode({}).finish().length, 0);
});

test('TASK_METHODS covers exactly the RPCs of proto/containerd/task/v2/shim.proto', () => {
  const proto = readFileSync(resolve(repoRoot, 'proto/containerd/task/v2/shim.proto'), 'utf8');
  const rpcs = [...proto.matchAll(/rpc (\w+)\((\w+)\) returns \(([\w.]+)\)/g)];
  assert.is(rpcs.length, 17);
  assert.equal(Object.keys(TASK_METHODS).sort(), rpcs.map((m) => m[1]).sort());
  for (const [, method, request, response] of rpcs) {
    const entry = TASK_METHODS[method as keyof typeof TASK_METHODS];
    assert.is(entry.request.name, request, `${method} request`);
    assert.is(entry.response.name, response!.split('.').pop(), `${method} response`);
  }
  assert.is(TASK_SERVICE_V2, 'containerd.task.v2.Task');
  assert.is(TASK_SERVICE_V3, 'containerd.task.v3.Task');
});

test.run();
