/**
 * The allocator collecting ranges nobody holds, over a real state file and lock but a fake
 * process table: a killed pod, a reboot, a daemon that died or outlived its create grace,
 * ranges written before holders existed, and hold() after the range was lost.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code, type ShimError } from '../../../src/errors';
import { NativeSys } from '../../../src/sys/native-sys';
import { RANGE_SIZE, UsernsAllocator, type UsernsAllocatorOptions } from '../../../src/userns';
import type { AllocatedRange, UsernsState } from '../../../src/userns/state-file';
import { fakeHost, type FakeHost } from './support/fake-processes';

const sys = new NativeSys();
const base = 2 ** 30;
const nth = (i: number) => base + i * RANGE_SIZE;
const dirs: string[] = [];
const t0 = new Date('2025-01-01T00:00:00Z');

function statePath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-userns-'));
  dirs.push(dir);
  return path.join(dir, 'userns.json');
}

interface Setup {
  file: string;
  host: FakeHost;
  clock: { now: Date };
  collected: string[];
  allocator(more?: Partial<UsernsAllocatorOptions>): UsernsAllocator;
  state(): UsernsState;
}

function setup(): Setup {
  const file = statePath();
  const host = fakeHost();
  const clock = { now: t0 };
  const collected: string[] = [];
  return {
    file,
    host,
    clock,
    collected,
    allocator: (more = {}) =>
      new UsernsAllocator({
        sys,
        partition: 'p1',
        statePath: file,
        pool: { start: base, count: 4 },
        processes: host,
        now: () => clock.now,
        createGraceMs: 60_000,
        onCollected: (r) => collected.push(r.owner.pod),
        ...more,
      }),
    state: () => JSON.parse(fs.readFileSync(file, 'utf8')) as UsernsState,
  };
}

async function rejection(promise: Promise<unknown>): Promise<ShimError> {
  try {
    await promise;
  } catch (err) {
    return err as ShimError;
  }
  throw new Error('expected a rejection');
}

const seconds = (s: Setup, n: number) => (s.clock.now = new Date(s.clock.now.getTime() + n * 1000));

test('allocate records the daemon as creating holder with its grace; hold() replaces it by the init', async () => {
  const s = setup();
  s.host.table.set(100, { ppid: 10, start: '7000' });
  const a = s.allocator();
  await a.allocate('ns/pod-a', undefined, 'ns/c1');
  assert.equal(s.state().ranges[0].holders, [
    { boot: 'boot-1', pid: 10, start: '1000', role: 'creating', until: '2025-01-01T00:01:00.000Z', container: 'ns/c1' },
  ]);
  await a.hold('ns/pod-a', 'ns/c1', 100);
  assert.equal(s.state().ranges[0].holders, [{ boot: 'boot-1', pid: 100, start: '7000', role: 'init', container: 'ns/c1' }]);
});

test('a killed pod\'s range is collected by the next allocate, of any pod, and handed out again', async () => {
  const s = setup();
  s.host.table.set(100, { ppid: 10, start: '7000' });
  const a = s.allocator();
  await a.allocate('ns/pod-a', undefined, 'ns/c1');
  await a.hold('ns/pod-a', 'ns/c1', 100);
  await a.allocate('ns/pod-b', undefined, 'ns/c2');
  assert.equal(s.collected, [], 'the init lives');

  s.host.table.delete(100); // SIGKILL
  await a.allocate('ns/pod-c', undefined, 'ns/c3');
  assert.equal(s.collected, ['ns/pod-a']);
  assert.equal(s.state().ranges.map((r) => r.owner.pod), ['ns/pod-b', 'ns/pod-c']);
  // the freed range comes back last, after the never-used one
  assert.is((await a.allocate('ns/pod-d')).hostID, nth(3));
  assert.is((await a.allocate('ns/pod-e')).hostID, nth(0));
});

test('a pod lives while any of its inits does; dead ones are pruned from its holders', async () => {
  const s = setup();
  s.host.table.set(100, { ppid: 10, start: '7000' });
  s.host.table.set(101, { ppid: 10, start: '7001' });
  const a = s.allocator();
  await a.allocate('ns/pod', undefined, 'ns/sandbox');
  await a.hold('ns/pod', 'ns/sandbox', 100);
  await a.allocate('ns/pod', undefined, 'ns/app');
  await a.hold('ns/pod', 'ns/app', 101);
  s.host.table.delete(101);
  await a.allocate('ns/other');
  assert.equal(s.collected, []);
  assert.equal(s.state().ranges.find((r) => r.owner.pod === 'ns/pod')?.holders?.map((h) => h.pid), [100]);
});

test('a reboot frees everything of the previous boot; a reused pid with another start time frees too', async () => {
  const s = setup();
  s.host.table.set(100, { ppid: 10, start: '7000' });
  s.host.table.set(101, { ppid: 10, start: '7001' });
  const a = s.allocator();
  await a.allocate('ns/pod-a', undefined, 'ns/a');
  await a.hold('ns/pod-a', 'ns/a', 100);
  await a.allocate('ns/pod-b', undefined, 'ns/b');
  await a.hold('ns/pod-b', 'ns/b', 101);
  s.host.table.set(101, { ppid: 1, start: '9999' }); // another process got pid 101
  await a.allocate('ns/pod-c');
  assert.equal(s.collected, ['ns/pod-b']);
  s.host.boot = 'boot-2'; // same pids, same start times, after a reboot: nothing is the same process
  s.host.self = 11;
  s.host.table.set(11, { ppid: 1, start: '1' });
  await a.allocate('ns/pod-d');
  assert.equal(s.collected.sort(), ['ns/pod-a', 'ns/pod-b', 'ns/pod-c']);
  assert.equal(s.state().ranges.map((r) => r.owner.pod), ['ns/pod-d']);
});

test('the creating daemon holds the range only while it lives and within its grace', async () => {
  const s = setup();
  const a = s.allocator();
  await a.allocate('ns/pod-a', undefined, 'ns/a');
  seconds(s, 59);
  await a.allocate('ns/pod-b', undefined, 'ns/b');
  assert.equal(s.collected, [], 'within the grace');
  seconds(s, 2);
  await a.allocate('ns/pod-c', undefined, 'ns/c');
  assert.equal(s.collected, ['ns/pod-a'], 'pod-a outlived its grace with no init; pod-b still within it');
  // Another daemon (another shim process) finds pod-c held by a dead daemon.
  const other = setup();
  fs.copyFileSync(s.file, other.file);
  other.clock.now = s.clock.now;
  other.host.self = 20;
  other.host.table.set(20, { ppid: 1, start: '2000' });
  other.host.table.delete(10);
  await other.allocator().allocate('ns/pod-x');
  assert.equal(other.collected.sort(), ['ns/pod-b', 'ns/pod-c']);
});

test('hold() after the range was collected is refused: the container never runs on a range that may be another\'s', async () => {
  const s = setup();
  s.host.table.set(100, { ppid: 10, start: '7000' });
  const a = s.allocator();
  await a.allocate('ns/slow', undefined, 'ns/slow');
  seconds(s, 120);
  await a.allocate('ns/fast');
  const err = await rejection(a.hold('ns/slow', 'ns/slow', 100));
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /pod ns\/slow no longer holds a user-namespace range: creating container ns\/slow took longer than 60000 ms/);
});

test('an init that already exited holds nothing: the range goes with the daemon\'s grace', async () => {
  const s = setup();
  const a = s.allocator();
  await a.allocate('ns/pod', undefined, 'ns/c');
  await a.hold('ns/pod', 'ns/c', 555);
  assert.equal(s.state().ranges[0].holders, []);
  await a.allocate('ns/next');
  assert.equal(s.collected, ['ns/pod']);
});

test('a requested range held by a dead pod is collected and honoured', async () => {
  const s = setup();
  s.host.table.set(100, { ppid: 10, start: '7000' });
  const a = s.allocator();
  const mapping = { uidMappings: [{ containerID: 0, hostID: nth(2), size: RANGE_SIZE }], gidMappings: [{ containerID: 0, hostID: nth(2), size: RANGE_SIZE }] };
  await a.allocate('ns/k8s-a', mapping, 'ns/a');
  await a.hold('ns/k8s-a', 'ns/a', 100);
  assert.is((await rejection(a.allocate('ns/k8s-b', mapping))).code, Code.FailedPrecondition, 'while k8s-a runs');
  s.host.table.delete(100);
  assert.is((await a.allocate('ns/k8s-b', mapping)).hostID, nth(2));
});

function legacyState(file: string, ranges: Array<Partial<AllocatedRange>>): void {
  const full = ranges.map((r, i) => ({
    hostID: nth(i),
    size: RANGE_SIZE,
    owner: { partition: 'default', pod: `old-${i}` },
    allocatedAt: '2024-12-01T00:00:00.000Z',
    requested: false,
    ...r,
  }));
  fs.writeFileSync(file, JSON.stringify({ version: 1, next: nth(full.length), ranges: full }));
}

test('ranges from before holders: adopted with the processes that entered them, freed when none, young ones left', async () => {
  const s = setup();
  legacyState(s.file, [{}, {}, { allocatedAt: '2024-12-31T23:59:30.000Z' }]);
  const inRange0 = [{ containerID: 0, hostID: nth(0), size: RANGE_SIZE }];
  s.host.table.set(200, { ppid: 50, start: '8000', uidMap: inRange0 }); // an init: its parent (a shim) is outside
  s.host.table.set(201, { ppid: 200, start: '8001', uidMap: inRange0 }); // its child: not an entry point
  s.host.table.set(50, { ppid: 1, start: '100' });
  await s.allocator().allocate('ns/new');
  assert.is(s.host.scans, 1);
  const state = s.state();
  assert.equal(s.collected, ['old-1'], 'nothing runs in range 1');
  assert.equal(state.ranges.find((r) => r.owner.pod === 'old-0')?.holders, [{ boot: 'boot-1', pid: 200, start: '8000', role: 'init' }]);
  assert.is(state.ranges.find((r) => r.owner.pod === 'old-2')?.holders, undefined, 'younger than the grace: an old shim may be creating');
  // Adopted ranges follow the ordinary rule from then on, without another scan.
  s.host.table.delete(200);
  await s.allocator().allocate('ns/new2');
  assert.is(s.host.scans, 1);
  assert.equal(s.collected, ['old-1', 'old-0']);
});

test('a state file with malformed holders is refused and left alone', async () => {
  const s = setup();
  legacyState(s.file, [{ holders: [{ boot: 'b', pid: -1, start: '1', role: 'init' }] }]);
  const text = fs.readFileSync(s.file, 'utf8');
  const err = await rejection(s.allocator().allocate('ns/x'));
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /is malformed/);
  assert.is(fs.readFileSync(s.file, 'utf8'), text);
});

test.after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
