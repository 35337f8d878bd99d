import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Reaper, type ReapedExit } from '../../../src/sys/reaper';
import { FakeSys } from '../../fakes/fake-sys';

/** A fake /proc/self whose threads list the given children. */
function fakeProcSelf(childrenPerThread: number[][]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-proc-'));
  childrenPerThread.forEach((children, i) => {
    fs.mkdirSync(path.join(dir, 'task', String(100 + i)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'task', String(100 + i), 'children'), children.map((c) => `${c} `).join(''));
  });
  return dir;
}

test('start: becomes a subreaper and reaps exited children on every thread, skipping running ones', () => {
  const procSelf = fakeProcSelf([[11, 12], [13]]);
  try {
    const sys = new FakeSys();
    sys.waitResults.set(11, { pid: 11, status: 3 });
    sys.waitResults.set(12, null);
    sys.waitResults.set(13, { pid: 13, status: 137 });
    const reaper = new Reaper(sys, procSelf);
    const exits: ReapedExit[] = [];
    reaper.onExit((exit) => exits.push(exit));
    reaper.start();
    reaper.stop();
    assert.equal(sys.callsTo('setChildSubreaper'), [[]]);
    assert.equal(exits.map((e) => [e.pid, e.status]), [[11, 3], [13, 137]]);
    assert.ok(exits.every((e) => e.exitedAt instanceof Date));
  } finally {
    fs.rmSync(procSelf, { recursive: true, force: true });
  }
});

test('a tracked child is never waited for until its exit event', () => {
  const procSelf = fakeProcSelf([[21]]);
  try {
    const sys = new FakeSys();
    sys.waitResults.set(21, { pid: 21, status: 0 });
    const reaper = new Reaper(sys, procSelf);
    const child = Object.assign(new EventEmitter(), { pid: 21 }) as unknown as ChildProcess;
    reaper.track(child);
    reaper.start();
    assert.equal(sys.callsTo('waitpid'), []);
    assert.throws(() => reaper.reapNow(21), /run by the shim/);
    child.emit('exit', 0, null);
    assert.is(reaper.reapNow(21)?.status, 0);
    reaper.stop();
  } finally {
    fs.rmSync(procSelf, { recursive: true, force: true });
  }
});

test('onExit returns an unsubscribe function', () => {
  const sys = new FakeSys();
  const reaper = new Reaper(sys, '/nonexistent');
  const seen: number[] = [];
  const off = reaper.onExit((exit) => seen.push(exit.pid));
  sys.waitResults.set(5, { pid: 5, status: 1 });
  reaper.reapNow(5);
  off();
  sys.waitResults.set(6, { pid: 6, status: 1 });
  reaper.reapNow(6);
  assert.equal(seen, [5]);
});

test.run();
