import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code, UnknownError, type ShimError } from '../../../src/errors';
import { Container, type OciSpec } from '../../../src/process/container';
import { ExitRouter } from '../../../src/process/exit-router';
import type { LifecycleEvent } from '../../../src/process/lifecycle-event';
import { FakeSys } from '../../fakes/fake-sys';
import { nullIO, ScriptedRuntime } from '../../fakes/scripted-runtime';

const stdio = { stdin: '', stdout: '', stderr: '', terminal: false };
const ownPidNs: OciSpec = { linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] } };

function setup(spec: OciSpec = ownPidNs) {
  const bundle = mkdtempSync(join(tmpdir(), 'mtest-container-'));
  const runtime = new ScriptedRuntime();
  const exits = new ExitRouter();
  const events: LifecycleEvent[] = [];
  const deps = {
    runtime,
    sys: new FakeSys(),
    exits,
    createIO: async () => nullIO(),
    openCgroup: async () => undefined,
    idmapRootfs: () => undefined,
    removeIdmappedRootfs: () => undefined,
    idmapMount: () => undefined,
    emit: (e: LifecycleEvent) => events.push(e),
    log: () => undefined,
  };
  const create = () => Container.create(deps, { id: 'c1', bundle, rootfs: [], stdio, spec });
  const exit = (pid: number, status: number) => exits.deliver({ pid, status, exitedAt: new Date() });
  const topics = () => events.map((e) => (e.type === 'exit' ? `exit:${e.id}` : e.type));
  const cleanup = () => rmSync(bundle, { recursive: true, force: true });
  return { runtime, events, create, exit, topics, cleanup };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const codeOf = async (p: Promise<unknown>): Promise<Code | undefined> => {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as ShimError).code;
  }
};

test('create, start, exit, delete: events in order, Wait answered with the exit', async () => {
  const s = setup();
  try {
    const c = await s.create();
    assert.is(c.init.pid, 1000);
    assert.is(c.init.state, 'created');
    await c.start('');
    const waited = c.init.wait();
    s.exit(1000, 3);
    assert.equal((await waited).status, 3);
    assert.is(c.init.state, 'stopped');
    const deleted = await c.delete('');
    assert.is(deleted.status, 3);
    assert.equal(s.topics(), ['create', 'start', 'exit:c1', 'delete']);
    assert.equal(s.runtime.calls, ['create c1', 'start c1', 'delete c1 force']);
  } finally {
    s.cleanup();
  }
});

test('an exit that arrives while Start is in flight is published after start', async () => {
  const s = setup();
  try {
    const c = await s.create();
    let release!: () => void;
    s.runtime.start = async () => {
      // the process dies before the runtime's start returns
      s.exit(1000, 1);
      await new Promise<void>((r) => (release = r));
    };
    const starting = c.start('');
    await settle();
    assert.equal(s.topics(), ['create']);
    release();
    await starting;
    await c.init.wait();
    assert.equal(s.topics(), ['create', 'start', 'exit:c1']);
  } finally {
    s.cleanup();
  }
});

test("every running exec's exit is published before the init's", async () => {
  const s = setup();
  try {
    const c = await s.create();
    await c.start('');
    c.addExec('e1', { args: ['sleep'] }, stdio);
    const execPid = await c.start('e1');
    // init dies first (the kernel then kills the exec), but the exec's exit is reaped later
    s.exit(1000, 137);
    await settle();
    assert.not.ok(s.topics().includes('exit:c1'));
    s.exit(execPid, 137);
    await c.init.wait();
    assert.equal(s.topics(), ['create', 'start', 'exec-added', 'exec-started', 'exit:e1', 'exit:c1']);
  } finally {
    s.cleanup();
  }
});

test('without its own pid namespace the init exit kills everything left', async () => {
  const s = setup({ linux: { namespaces: [{ type: 'pid', path: '/proc/1/ns/pid' }] } });
  try {
    const c = await s.create();
    await c.start('');
    s.exit(1000, 0);
    await c.init.wait();
    assert.ok(s.runtime.calls.includes('kill c1 9 all'));
  } finally {
    s.cleanup();
  }
});

test('errors: duplicate exec AlreadyExists, bad exec id InvalidArgument, unknown exec NotFound, kill after exit NotFound', async () => {
  const s = setup();
  try {
    const c = await s.create();
    await c.start('');
    c.addExec('e1', {}, stdio);
    assert.throws(() => c.addExec('e1', {}, stdio), (e: ShimError) => e.code === Code.AlreadyExists && /id e1/.test(e.message));
    assert.throws(() => c.addExec('bad id!', {}, stdio), (e: ShimError) => e.code === Code.InvalidArgument);
    assert.throws(() => c.process('nope'), (e: ShimError) => e.code === Code.NotFound);
    assert.is(await codeOf(c.kill('e1', 15, false)), Code.FailedPrecondition);
    s.exit(1000, 0);
    await c.init.wait();
    assert.is(await codeOf(c.kill('', 15, false)), Code.NotFound);
    assert.is(await codeOf(c.start('e1')), Code.FailedPrecondition);
  } finally {
    s.cleanup();
  }
});

test('pause/resume move the state and emit; deleting a running init is refused', async () => {
  const s = setup();
  try {
    const c = await s.create();
    assert.is(await codeOf(c.pause()), Code.FailedPrecondition);
    await c.start('');
    await c.pause();
    assert.is(c.init.state, 'paused');
    assert.is(await codeOf(c.delete('')), Code.FailedPrecondition);
    await c.resume();
    assert.is(c.init.state, 'running');
    assert.equal(s.topics(), ['create', 'start', 'paused', 'resumed']);
  } finally {
    s.cleanup();
  }
});

test('a never-started init can be deleted; the forced delete reaps it', async () => {
  const s = setup();
  try {
    const c = await s.create();
    s.runtime.delete = async (id, force) => {
      s.runtime.calls.push(`delete ${id}${force ? ' force' : ''}`);
      s.exit(1000, 137);
    };
    const exit = await c.delete('');
    assert.is(exit.status, 137);
    assert.equal(s.topics(), ['create', 'exit:c1', 'delete']);
  } finally {
    s.cleanup();
  }
});

test('a failed create releases what it took and emits nothing', async () => {
  const s = setup();
  try {
    s.runtime.failures.set('create', new UnknownError('runc create failed: boom'));
    assert.is(await codeOf(s.create()), Code.Unknown);
    assert.equal(s.events, []);
    assert.ok(s.runtime.calls.includes('delete c1 force'));
  } finally {
    s.cleanup();
  }
});

test.run();
