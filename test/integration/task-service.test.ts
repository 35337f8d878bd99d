/**
 * The Task service over real ttrpc on a unix socket, composed exactly as the daemon
 * composes it (createShim), with the fake runtime program in place of runc: real
 * pipes, real reaping of reparented processes, real event forwarding.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createShim, type Shim } from '../../src/bootstrap/shim';
import { Code, type ShimError } from '../../src/errors';
import { TtrpcClient } from '../../src/ttrpc/client';
import { TtrpcServer } from '../../src/ttrpc/server';
import { packAny } from '../../src/wire/any';
import { ForwardRequest, TaskExit } from '../../src/wire/events';
import { RuntimeOptions } from '../../src/wire/options';
import * as t from '../../src/wire/task';
import { RUNTIME_OPTIONS_TYPE_URL } from '../../src/wire/type-urls';

const fakeRuntime = resolve(__dirname, '../../../test/fakes/fake-runtime/fake-runtime.js');
const V2 = t.TASK_SERVICE_V2;

interface Rig {
  dir: string;
  client: TtrpcClient;
  shim: Shim;
  topics: string[];
  exits: Array<{ id: string; status: number }>;
  idle: Promise<void>;
  logs: string[];
  call(method: string, payload: Uint8Array): Promise<Uint8Array>;
  bundle(id: string, spec?: object): string;
  options(extraToml?: string): ReturnType<typeof packAny>;
  close(): Promise<void>;
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((done) => server.listen(path, done));
}

async function rig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'mtest-itask-'));
  const topics: string[] = [];
  const exits: Array<{ id: string; status: number }> = [];
  const events = new TtrpcServer();
  events.register('containerd.services.events.ttrpc.v1.Events', {
    async Forward(_ctx, payload) {
      const envelope = ForwardRequest.decode(payload).envelope!;
      topics.push(envelope.topic!);
      if (envelope.topic === '/tasks/exit') {
        const exit = TaskExit.decode(envelope.event!.value!);
        exits.push({ id: exit.id, status: exit.exitStatus });
      }
      return new Uint8Array(0);
    },
  });
  const eventsListener = createServer();
  await listen(eventsListener, join(dir, 'events.sock'));
  events.serve(eventsListener);

  const logs: string[] = [];
  const log = { write: (level: string, message: string) => logs.push(`${level}: ${message}`), attach: () => undefined, detach: () => undefined };
  let onIdle!: () => void;
  const idle = new Promise<void>((resolveIdle) => (onIdle = resolveIdle));
  const shim = createShim({ namespace: 'itest', ttrpcAddress: join(dir, 'events.sock'), log, consoleDir: join(dir, 'console'), onIdle });
  const shimListener = createServer();
  await listen(shimListener, join(dir, 'shim.sock'));
  shim.server.serve(shimListener);
  const client = await TtrpcClient.connect(join(dir, 'shim.sock'));

  return {
    dir,
    client,
    shim,
    topics,
    exits,
    idle,
    logs,
    call: (method, payload) => client.call(V2, method, payload, { timeoutMs: 10_000 }),
    bundle(id, spec = {}) {
      const bundle = join(dir, 'bundles', id);
      mkdirSync(join(bundle, 'rootfs'), { recursive: true });
      writeFileSync(
        join(bundle, 'config.json'),
        JSON.stringify({
          ociVersion: '1.0.2',
          process: { args: ['sleep', '100'] },
          linux: { namespaces: ['pid', 'ipc', 'uts', 'mount', 'network'].map((type) => ({ type })) },
          ...spec,
        }),
      );
      return bundle;
    },
    options(extraToml = '') {
      // The fake runtime runs no container: no user namespace to prepare, and state kept in the test's dir.
      const body =
        `[runtime]\nbinary = "${fakeRuntime}"\nroot = "${join(dir, 'runtime')}"\n` +
        `[shim]\nstate_dir = "${join(dir, 'state')}"\n[hardening]\nrequire_user_namespace = false\n${extraToml}`;
      return packAny(RUNTIME_OPTIONS_TYPE_URL, RuntimeOptions.encode({ configBody: Buffer.from(body) }).finish());
    },
    async close() {
      await client.close();
      await shim.close();
      await events.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function codeOf(p: Promise<unknown>): Promise<[Code | undefined, string]> {
  try {
    await p;
    return [undefined, ''];
  } catch (err) {
    return [(err as ShimError).code, (err as Error).message];
  }
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('lifecycle over ttrpc: create, start, exec, kill, wait, state, pids, delete, shutdown; events in order', async () => {
  const r = await rig();
  try {
    const bundle = r.bundle('c1');
    const created = t.CreateTaskResponse.decode(
      await r.call('Create', t.CreateTaskRequest.encode({ id: 'c1', bundle, options: r.options() }).finish()),
    );
    assert.ok(created.pid > 0);
    const connect = t.ConnectResponse.decode(await r.call('Connect', t.ConnectRequest.encode({ id: 'c1' }).finish()));
    assert.is(connect.taskPid, created.pid);
    assert.is(connect.shimPid, process.pid);

    await r.call('Start', t.StartRequest.encode({ id: 'c1' }).finish());
    let state = t.StateResponse.decode(await r.call('State', t.StateRequest.encode({ id: 'c1' }).finish()));
    assert.is(state.status, t.Status.RUNNING);
    assert.is(state.pid, created.pid);
    assert.is(state.bundle, bundle);

    const spec = packAny('types.containerd.io/opencontainers/runtime-spec/1/Process', Buffer.from(JSON.stringify({ args: ['sleep', '50'], cwd: '/' })));
    await r.call('Exec', t.ExecProcessRequest.encode({ id: 'c1', execId: 'e1', spec }).finish());
    const [dup] = await codeOf(r.call('Exec', t.ExecProcessRequest.encode({ id: 'c1', execId: 'e1', spec }).finish()));
    assert.is(dup, Code.AlreadyExists);
    const execPid = t.StartResponse.decode(await r.call('Start', t.StartRequest.encode({ id: 'c1', execId: 'e1' }).finish())).pid;
    const pids = t.PidsResponse.decode(await r.call('Pids', t.PidsRequest.encode({ id: 'c1' }).finish()));
    assert.ok(pids.processes.length >= 1, 'Pids lists processes');

    const execWait = r.call('Wait', t.WaitRequest.encode({ id: 'c1', execId: 'e1' }).finish());
    await r.call('Kill', t.KillRequest.encode({ id: 'c1', execId: 'e1', signal: 9 }).finish());
    assert.is(t.WaitResponse.decode(await execWait).exitStatus, 137);
    assert.ok(execPid > 0);

    const initWait = r.call('Wait', t.WaitRequest.encode({ id: 'c1' }).finish());
    await r.call('Kill', t.KillRequest.encode({ id: 'c1', signal: 15 }).finish());
    assert.is(t.WaitResponse.decode(await initWait).exitStatus, 143);
    state = t.StateResponse.decode(await r.call('State', t.StateRequest.encode({ id: 'c1' }).finish()));
    assert.is(state.status, t.Status.STOPPED);
    assert.is(state.exitStatus, 143);
    const [late] = await codeOf(r.call('Kill', t.KillRequest.encode({ id: 'c1', signal: 9 }).finish()));
    assert.is(late, Code.NotFound);

    await r.call('Delete', t.DeleteRequest.encode({ id: 'c1', execId: 'e1' }).finish());
    const deleted = t.DeleteResponse.decode(await r.call('Delete', t.DeleteRequest.encode({ id: 'c1' }).finish()));
    assert.is(deleted.exitStatus, 143);
    const [gone] = await codeOf(r.call('State', t.StateRequest.encode({ id: 'c1' }).finish()));
    assert.is(gone, Code.NotFound);

    await r.call('Shutdown', t.ShutdownRequest.encode({ id: 'c1' }).finish());
    await r.idle;
    await until(() => r.topics.includes('/tasks/delete'), 'the delete event');
    assert.equal(r.topics, ['/tasks/create', '/tasks/start', '/tasks/exec-added', '/tasks/exec-started', '/tasks/exit', '/tasks/exit', '/tasks/delete']);
    assert.equal(r.exits, [
      { id: 'e1', status: 137 },
      { id: 'c1', status: 143 },
    ]);
  } finally {
    await r.close();
  }
});

test('bad input gets a clear error and the shim keeps serving the other task', async () => {
  const r = await rig();
  try {
    await r.call('Create', t.CreateTaskRequest.encode({ id: 'ok', bundle: r.bundle('ok'), options: r.options() }).finish());
    await r.call('Start', t.StartRequest.encode({ id: 'ok' }).finish());

    const broken = r.bundle('broken');
    writeFileSync(join(broken, 'config.json'), '{ not json');
    const [badSpec, badSpecMsg] = await codeOf(r.call('Create', t.CreateTaskRequest.encode({ id: 'broken', bundle: broken, options: r.options() }).finish()));
    assert.is(badSpec, Code.InvalidArgument);
    assert.match(badSpecMsg, /config\.json is not valid JSON/);

    const noRuntime = packAny(RUNTIME_OPTIONS_TYPE_URL, RuntimeOptions.encode({ configBody: Buffer.from('[runtime]\nbinary = "/nonexistent/runc"') }).finish());
    const [missing, missingMsg] = await codeOf(r.call('Create', t.CreateTaskRequest.encode({ id: 'nort', bundle: r.bundle('nort'), options: noRuntime }).finish()));
    assert.is(missing, Code.FailedPrecondition);
    assert.match(missingMsg, /\/nonexistent\/runc/);

    const badConfig = packAny(RUNTIME_OPTIONS_TYPE_URL, RuntimeOptions.encode({ configBody: Buffer.from('[runtime]\nbinray = "x"') }).finish());
    const [cfg, cfgMsg] = await codeOf(r.call('Create', t.CreateTaskRequest.encode({ id: 'cfg', bundle: r.bundle('cfg'), options: badConfig }).finish()));
    assert.is(cfg, Code.InvalidArgument);
    assert.match(cfgMsg, /runtime\.binray: unknown key/);

    const [dupId] = await codeOf(r.call('Create', t.CreateTaskRequest.encode({ id: 'ok', bundle: r.bundle('ok2'), options: r.options() }).finish()));
    assert.is(dupId, Code.AlreadyExists);
    const [unknownExec, unknownExecMsg] = await codeOf(r.call('State', t.StateRequest.encode({ id: 'ok', execId: 'nope' }).finish()));
    assert.is(unknownExec, Code.NotFound);
    assert.match(unknownExecMsg, /nope/);
    const [checkpoint] = await codeOf(r.call('Checkpoint', t.CheckpointTaskRequest.encode({ id: 'ok' }).finish()));
    assert.is(checkpoint, Code.Unimplemented);
    const [unknownMethod, unknownMethodMsg] = await codeOf(r.client.call(V2, 'Frobnicate', new Uint8Array()));
    assert.is(unknownMethod, Code.Unimplemented);
    assert.match(unknownMethodMsg, /Frobnicate/);
    const connect = t.ConnectResponse.decode(await r.call('Connect', t.ConnectRequest.encode({ id: 'nobody' }).finish()));
    assert.is(connect.taskPid, 0);

    // the v3 service name answers the same
    const state = t.StateResponse.decode(await r.client.call(t.TASK_SERVICE_V3, 'State', t.StateRequest.encode({ id: 'ok' }).finish()));
    assert.is(state.status, t.Status.RUNNING);

    await r.call('Kill', t.KillRequest.encode({ id: 'ok', signal: 9, all: true }).finish());
    await r.call('Wait', t.WaitRequest.encode({ id: 'ok' }).finish());
    await r.call('Delete', t.DeleteRequest.encode({ id: 'ok' }).finish());
  } finally {
    await r.close();
  }
});

test.run();
