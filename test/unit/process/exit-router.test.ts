import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitRouter } from '../../../src/process/exit-router';
import type { ExitInfo } from '../../../src/process/lifecycle-event';

const exit = (pid: number, status = 0, at = Date.now()): ExitInfo => ({ pid, status, exitedAt: new Date(at) });

test('an exit reaches the process that claimed the pid, once', () => {
  const router = new ExitRouter();
  const seen: ExitInfo[] = [];
  router.claim(10, (e) => seen.push(e));
  router.deliver(exit(10, 3));
  router.deliver(exit(10, 4));
  assert.equal(seen.map((e) => e.status), [3]);
});

test('an exit that comes before the claim is kept for it', () => {
  const router = new ExitRouter();
  router.deliver(exit(11, 137));
  const seen: number[] = [];
  router.claim(11, (e) => seen.push(e.status));
  assert.equal(seen, [137]);
});

test('released pids no longer route; stale unclaimed exits are dropped', () => {
  const router = new ExitRouter();
  const seen: number[] = [];
  router.claim(12, (e) => seen.push(e.status));
  router.release(12);
  router.deliver(exit(12, 1, 0));
  router.deliver(exit(13, 2, 120_000)); // two minutes later: pid 12's leftover is stale
  router.claim(12, (e) => seen.push(e.status));
  assert.equal(seen, []);
  router.claim(13, (e) => seen.push(e.status));
  assert.equal(seen, [2]);
});

test.run();
