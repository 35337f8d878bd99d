import * as fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listChildren } from '../../../src/sys/proc-children';
import { NativeSys } from '../../../src/sys/native-sys';
import { Reaper, type ReapedExit } from '../../../src/sys/reaper';

const sys = new NativeSys();

/**
 * Starts `body` in a grandchild whose parent exits at once, so it is reparented
 * to us; the body runs only once that happened (else its parent could reap it).
 */
async function orphan(runner: Reaper, body: string): Promise<number> {
  const untilReparented = `while [ "$(cut -d' ' -f4 /proc/$$/stat)" != ${process.pid} ]; do sleep 0.01; done`;
  const result = await runner.run('sh', ['-c', 'sh -c "$1" >/dev/null 2>&1 </dev/null & echo $!', 'sh', `${untilReparented}; ${body}`]);
  assert.is(result.exitCode, 0, result.stderr);
  return Number(result.stdout.trim());
}

/** Polls until `condition` holds; fails after `ms`. */
async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms}ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function waitForExit(reaper: Reaper, pid: number, timeoutMs = 5000): Promise<ReapedExit> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no exit for ${pid} within ${timeoutMs}ms`));
    }, timeoutMs);
    const off = reaper.onExit((exit) => {
      if (exit.pid !== pid) return;
      clearTimeout(timer);
      off();
      resolve(exit);
    });
  });
}

/** Fails instead of hanging when an exit was lost. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function state(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
  } catch {
    return undefined;
  }
}

/** Every child of ours that is a zombie: each one is an exit somebody failed to reap. */
function zombies(): number[] {
  return listChildren().filter((pid) => state(pid) === 'Z');
}

test('an orphan reparented to us is reaped with its exit code', async () => {
  const reaper = new Reaper(sys);
  reaper.start();
  try {
    const pid = await orphan(reaper, 'sleep 0.2; exit 3');
    const before = Date.now();
    const exit = await waitForExit(reaper, pid);
    assert.is(exit.status, 3);
    assert.ok(exit.exitedAt.getTime() >= before - 50);
    assert.equal(zombies(), []);
  } finally {
    reaper.stop();
  }
});

test('an orphan killed by SIGTERM reports 143', async () => {
  const reaper = new Reaper(sys);
  reaper.start();
  try {
    const pid = await orphan(reaper, 'exec sleep 30');
    // Kill the sleep itself, not the shell still polling (whose own children would become orphans too).
    await until(() => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'));
    const exited = waitForExit(reaper, pid);
    process.kill(pid, 'SIGTERM');
    assert.is((await exited).status, 143);
  } finally {
    reaper.stop();
  }
});

test('50 concurrent commands keep their own exit codes while orphans exit at the same time', async () => {
  const reaper = new Reaper(sys);
  reaper.start();
  try {
    const exits = new Map<number, number>();
    reaper.onExit((exit) => exits.set(exit.pid, exit.status));
    // Orphans that all die in the same instant as the commands below run.
    const orphans = await Promise.all(Array.from({ length: 20 }, (_, i) => orphan(reaper, `sleep 0.3; exit ${10 + i}`)));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const commands = await within(
      10_000,
      Promise.all(
        Array.from({ length: 50 }, (_, i) => reaper.run('sh', ['-c', `echo out${i}; echo err${i} >&2; exit ${i % 7}`])),
      ),
    );
    commands.forEach((result, i) => {
      assert.is(result.exitCode, i % 7);
      assert.is(result.signal, null);
      assert.is(result.stdout, `out${i}\n`);
      assert.is(result.stderr, `err${i}\n`);
    });
    await until(() => orphans.every((pid) => exits.has(pid)));
    orphans.forEach((pid, i) => assert.is(exits.get(pid), 10 + i, `orphan ${pid}`));
    // No command's pid was reaped from under libuv.
    for (const pid of exits.keys()) assert.ok(orphans.includes(pid), `reaped a non-orphan ${pid}`);
    assert.equal(zombies(), []);
  } finally {
    reaper.stop();
  }
});

test('reapNow reaps a known pid before SIGCHLD is handled; ECHILD once reaped', async () => {
  sys.setChildSubreaper();
  // Not started: no SIGCHLD handling, so only reapNow can reap.
  const reaper = new Reaper(sys);
  const seen: ReapedExit[] = [];
  const off = reaper.onExit((exit) => seen.push(exit));
  const pid = await orphan(reaper, 'exit 7');
  let exit: ReapedExit | null = null;
  await until(() => (exit = reaper.reapNow(pid)) !== null);
  assert.is(exit!.status, 7);
  assert.equal(seen, [exit]);
  off();
  assert.throws(() => reaper.reapNow(pid), (err: NodeJS.ErrnoException) => err.code === 'ECHILD');
});

test('reapNow refuses a pid libuv owns, and run() forgets it after its exit', async () => {
  const reaper = new Reaper(sys);
  const result = reaper.run('sh', ['-c', 'echo $$; sleep 0.2']);
  // The command is our only child running `sh -c ... sleep 0.2`.
  let commandPid: number | undefined;
  await until(() => {
    commandPid = listChildren().find((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sleep 0.2'));
    return commandPid !== undefined;
  });
  assert.throws(() => reaper.reapNow(commandPid!), /run by the shim/);
  assert.is((await result).stdout, `${commandPid}\n`);
  // Gone from libuv's set: the kernel now says it is nobody's child.
  assert.throws(() => reaper.reapNow(commandPid!), (err: NodeJS.ErrnoException) => err.code === 'ECHILD');
});

test('start reaps orphans that died before it; a throwing listener does not hide the exit from others', async () => {
  sys.setChildSubreaper();
  const reaper = new Reaper(sys);
  const pid = await orphan(reaper, 'exit 4');
  await until(() => state(pid) === 'Z');
  const seen: number[] = [];
  const thrown: unknown[] = [];
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const onUncaught = (err: unknown): void => {
    thrown.push(err);
  };
  process.on('uncaughtException', onUncaught);
  reaper.onExit(() => {
    throw new Error('listener failed');
  });
  reaper.onExit((exit) => seen.push(exit.status));
  try {
    reaper.start();
    assert.equal(seen, [4]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.is(thrown.length, 1);
  } finally {
    reaper.stop();
    process.off('uncaughtException', onUncaught);
    for (const l of listeners) process.on('uncaughtException', l);
  }
});

test.run();
