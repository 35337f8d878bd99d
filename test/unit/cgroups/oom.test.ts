import { fstatSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CgroupV1Manager, CgroupV2Manager, type OomSys } from '../../../src/cgroups';
import { NotFoundError } from '../../../src/errors';
import { V1_MEMORY, V2_CGROUP, tempTree } from './trees';

/** An eventfd stand-in (an fd on /dev/null) and a watch the test fires by hand. */
function fakeSys() {
  const state = { efd: -1, fire: (_count: number) => {}, watchClosed: false };
  const sys: OomSys = {
    eventfd: () => (state.efd = openSync('/dev/null', 'r')),
    watchEventfd: (fd, onCount) => {
      assert.is(fd, state.efd);
      state.fire = onCount;
      return { close: () => (state.watchClosed = true) };
    },
  };
  return { sys, state };
}

const isOpen = (fd: number) => {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('v1: registers "<eventfd> <oom_control fd>" and reports each wake-up', async () => {
  const tree = tempTree(V1_MEMORY);
  const { sys, state } = fakeSys();
  try {
    const manager = new CgroupV1Manager({ memory: tree.dir }, '/proc', sys);
    let ooms = 0;
    const watch = await manager.watchOom(() => ooms++);
    assert.match(readFileSync(join(tree.dir, 'cgroup.event_control'), 'utf8'), new RegExp(`^${state.efd} \\d+$`));
    state.fire(1);
    state.fire(1);
    assert.is(ooms, 2);
    watch.close();
    assert.ok(state.watchClosed);
    assert.not.ok(isOpen(state.efd), 'the eventfd is closed with the watch');
    state.fire(1);
    assert.is(ooms, 2, 'nothing after close');
  } finally {
    tree.remove();
  }
});

test('v1: the wake-up of a removed cgroup is no OOM and ends the watch', async () => {
  const tree = tempTree(V1_MEMORY);
  const { sys, state } = fakeSys();
  try {
    let ooms = 0;
    await new CgroupV1Manager({ memory: tree.dir }, '/proc', sys).watchOom(() => ooms++);
    tree.remove();
    state.fire(1);
    assert.is(ooms, 0);
    assert.ok(state.watchClosed);
    assert.not.ok(isOpen(state.efd));
  } finally {
    tree.remove();
  }
});

test('v1: no memory cgroup to watch is NotFound, and the eventfd is not leaked', async () => {
  const tree = tempTree(V1_MEMORY);
  const { sys, state } = fakeSys();
  try {
    await new CgroupV1Manager({ cpu: tree.dir }, '/proc', sys).watchOom(() => {}).then(
      () => assert.unreachable('no memory controller'),
      (err) => assert.instance(err, NotFoundError),
    );
    rmSync(join(tree.dir, 'memory.oom_control'));
    await new CgroupV1Manager({ memory: tree.dir }, '/proc', sys).watchOom(() => {}).then(
      () => assert.unreachable('no memory.oom_control'),
      (err) => assert.instance(err, NotFoundError),
    );
    assert.not.ok(isOpen(state.efd));
  } finally {
    tree.remove();
  }
});

test('v2: fires when oom_kill grows, not on other memory.events changes', async () => {
  const tree = tempTree({ ...V2_CGROUP, 'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n' });
  const events = join(tree.dir, 'memory.events');
  try {
    let ooms = 0;
    const watch = await new CgroupV2Manager(tree.dir).watchOom(() => ooms++);
    await new Promise((resolve) => setTimeout(resolve, 50));
    writeFileSync(events, 'low 0\nhigh 0\nmax 5\noom 0\noom_kill 0\noom_group_kill 0\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.is(ooms, 0, 'max events alone are no OOM kill');
    writeFileSync(events, 'low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 0\n');
    await until(() => ooms === 1, 'the first OOM kill');
    writeFileSync(events, 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n');
    await until(() => ooms === 2, 'the second OOM kill');
    watch.close();
    writeFileSync(events, 'low 0\nhigh 0\nmax 12\noom 3\noom_kill 3\noom_group_kill 0\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.is(ooms, 2, 'nothing after close');
  } finally {
    tree.remove();
  }
});

test('v2: a kill before the watch existed is reported once at start', async () => {
  const tree = tempTree(V2_CGROUP);
  try {
    let ooms = 0;
    const watch = await new CgroupV2Manager(tree.dir).watchOom(() => ooms++);
    await until(() => ooms === 1, 'the earlier OOM kill');
    watch.close();
  } finally {
    tree.remove();
  }
});

test('v2: no memory.events is NotFound', async () => {
  const tree = tempTree({ 'cpu.stat': V2_CGROUP['cpu.stat'] });
  try {
    await new CgroupV2Manager(tree.dir).watchOom(() => {}).then(
      () => assert.unreachable('no memory controller'),
      (err) => assert.instance(err, NotFoundError),
    );
  } finally {
    tree.remove();
  }
});

test.run();
