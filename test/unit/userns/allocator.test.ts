/** The allocator over a real state file and the real flock, in this process and across processes. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code, type ShimError } from '../../../src/errors';
import { NativeSys } from '../../../src/sys/native-sys';
import { RANGE_SIZE, UsernsAllocator, type UsernsAllocatorOptions } from '../../../src/userns';

const sys = new NativeSys();
const base = 2 ** 30;
const dirs: string[] = [];

function statePath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-userns-'));
  dirs.push(dir);
  return path.join(dir, 'lib', 'userns.json');
}

function allocator(file: string, more: Partial<UsernsAllocatorOptions> = {}): UsernsAllocator {
  return new UsernsAllocator({ sys, partition: 'p1', statePath: file, pool: { start: base, count: 4 }, ...more });
}

async function rejection(promise: Promise<unknown>): Promise<ShimError> {
  try {
    await promise;
  } catch (err) {
    return err as ShimError;
  }
  throw new Error('expected a rejection');
}

const nth = (i: number) => base + i * RANGE_SIZE;

test('each pod gets its own range, the same one every time it asks; mappings put container 0 on it', async () => {
  const a = allocator(statePath());
  const one = await a.allocate('pod-a');
  assert.equal(one, {
    hostID: base,
    size: RANGE_SIZE,
    uidMappings: [{ containerID: 0, hostID: base, size: RANGE_SIZE }],
    gidMappings: [{ containerID: 0, hostID: base, size: RANGE_SIZE }],
  });
  assert.is((await a.allocate('pod-b')).hostID, nth(1));
  assert.is((await a.allocate('pod-a')).hostID, base);
  assert.is((await a.lookup('pod-b'))?.hostID, nth(1));
  assert.is(await a.lookup('pod-z'), undefined);
});

test('the state persists: a new allocator (a restarted shim) sees the same ranges; the file is 0600 with no temp left', async () => {
  const file = statePath();
  await allocator(file).allocate('pod-a');
  await allocator(file).allocate('pod-b');
  const again = allocator(file);
  assert.is((await again.allocate('pod-a')).hostID, base);
  assert.is((await again.allocate('pod-c')).hostID, nth(2));
  assert.is(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.readdirSync(path.dirname(file)).sort(), ['userns.json', 'userns.json.lock']);
  const state = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(state.ranges.map((r: { owner: { pod: string } }) => r.owner.pod), ['pod-a', 'pod-b', 'pod-c']);
});

test('release frees a range; next fit hands freed ranges out last; a full pool is ResourceExhausted', async () => {
  const a = allocator(statePath());
  for (const pod of ['p0', 'p1', 'p2']) await a.allocate(pod);
  assert.ok(await a.release('p0'));
  assert.not.ok(await a.release('p0'));
  assert.is((await a.allocate('p3')).hostID, nth(3), 'the never-used range first');
  assert.is((await a.allocate('p4')).hostID, nth(0), 'then the freed one');
  const err = await rejection(a.allocate('p5'));
  assert.is(err.code, Code.ResourceExhausted);
  assert.match(err.message, /all 4 user-namespace ranges/);
});

test('partitions share the file: the same pod id in two partitions gets two ranges; release frees only its own', async () => {
  const file = statePath();
  const p1 = allocator(file);
  const p2 = allocator(file, { partition: 'p2' });
  const a1 = await p1.allocate('pod-a');
  const a2 = await p2.allocate('pod-a');
  assert.is.not(a1.hostID, a2.hostID);
  await p1.allocate('pod-b');
  await p2.allocate('pod-c');
  assert.ok(await p1.release('pod-a'));
  assert.is(await p1.lookup('pod-a'), undefined);
  assert.is((await p2.lookup('pod-a'))?.hostID, a2.hostID, 'the other partition\'s pod-a keeps its range');
  assert.is((await p2.lookup('pod-c'))?.hostID !== undefined, true);
  assert.not.ok(await p1.release('pod-c'), 'another partition\'s pod is not this partition\'s to release');
  assert.ok(await p2.release('pod-a'));
  assert.ok(await p2.release('pod-c'));
  assert.is((await p1.lookup('pod-b'))?.hostID !== undefined, true);
});

test('a requested mapping is honoured when free or already the pod\'s, refused otherwise', async () => {
  const a = allocator(statePath());
  const mapping = (hostID: number) => ({ uidMappings: [{ containerID: 0, hostID, size: RANGE_SIZE }], gidMappings: [{ containerID: 0, hostID, size: RANGE_SIZE }] });
  const got = await a.allocate('k8s-a', mapping(nth(2)));
  assert.is(got.hostID, nth(2));
  assert.is((await a.allocate('k8s-a', mapping(nth(2)))).hostID, nth(2));
  assert.is((await a.allocate('k8s-a')).hostID, nth(2));

  const held = await rejection(a.allocate('k8s-b', mapping(nth(2))));
  assert.is(held.code, Code.FailedPrecondition);
  assert.match(held.message, /range 1073872896 is held by pod k8s-a of partition "p1"/);
  const moved = await rejection(a.allocate('k8s-a', mapping(nth(1))));
  assert.match(moved.message, /already holds user-namespace range 1073872896 and now asks for 1073807360/);
  const outside = await rejection(a.allocate('k8s-c', mapping(65536)));
  assert.is(outside.code, Code.InvalidArgument);
  // The cursor only follows ranges the allocator chose: the next pick is still the first.
  assert.is((await a.allocate('plain')).hostID, nth(0));
});

test('a corrupt state file is refused and left alone, never reset', async () => {
  const file = statePath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (const text of ['{not json', '{"version":2}', '{"version":1,"next":0,"ranges":[{"hostID":1}]}']) {
    fs.writeFileSync(file, text);
    const err = await rejection(allocator(file).allocate('pod-a'));
    assert.is(err.code, Code.FailedPrecondition);
    assert.ok(err.message.includes(file), err.message);
    assert.match(err.message, /refusing to allocate/);
    assert.is(fs.readFileSync(file, 'utf8'), text);
  }
});

test('open() refuses a pool that overlaps /etc/subuid-style entries', () => {
  const file = statePath();
  const subuid = path.join(path.dirname(path.dirname(file)), 'subuid');
  fs.writeFileSync(subuid, `alice:${base + RANGE_SIZE}:65536\n`);
  try {
    UsernsAllocator.open({ sys, partition: 'p1', statePath: file, pool: { start: base, count: 4 }, subidFiles: [subuid] });
    assert.unreachable('should refuse');
  } catch (err) {
    assert.match((err as Error).message, /overlaps subordinate ids already delegated \(alice:1073807360:65536/);
  }
  const ok = UsernsAllocator.open({ sys, partition: 'p1', statePath: file, pool: { start: base + 2 * RANGE_SIZE, count: 2 }, subidFiles: [subuid, path.join(path.dirname(subuid), 'no-subgid')] });
  assert.is(ok.pool.start, base + 2 * RANGE_SIZE);
});

const worker = path.join(__dirname, 'support', 'allocator-worker.js');

function runWorker(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('six shim processes allocating at once never hand out one range twice', async () => {
  const file = statePath();
  const runs = await Promise.all(['p1', 'p2', 'p3'].flatMap((partition) => [0, 1].map((k) => runWorker(['allocate', file, partition, `pod${k}`, '15']))));
  const seen = new Map<number, string>();
  runs.forEach((r, i) => {
    assert.is(r.code, 0, r.stderr);
    for (const [pod, hostID] of Object.entries(JSON.parse(r.stdout) as Record<string, number>)) {
      assert.not.ok(seen.has(hostID), `range ${hostID} given to ${seen.get(hostID)} and ${pod} (worker ${i})`);
      seen.set(hostID, `${i}/${pod}`);
    }
  });
  assert.is(seen.size, 90);
  const state = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.is(state.ranges.length, 90);
});

test('a shim stuck holding the lock makes others time out; its death releases the lock', async () => {
  const file = statePath();
  const holder = spawn(process.execPath, [worker, 'hold', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
  try {
    const t0 = Date.now();
    const err = await rejection(allocator(file, { lockTimeoutMs: 300 }).allocate('pod-a'));
    assert.is(err.code, Code.DeadlineExceeded);
    assert.match(err.message, /another shim holds it/);
    assert.ok(Date.now() - t0 >= 300);
  } finally {
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('close', resolve));
  }
  assert.is((await allocator(file, { lockTimeoutMs: 2_000 }).allocate('pod-a')).hostID, base);
});

test.after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
