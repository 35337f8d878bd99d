import * as fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NativeSys } from '../../../src/sys/native-sys';
import { Reaper } from '../../../src/sys/reaper';

const sys = new NativeSys();
const runner = new Reaper(sys);

test('captures stdout and stderr, feeds input', async () => {
  const result = await runner.run('sh', ['-c', 'cat; echo oops >&2; exit 2'], { stdio: ['pipe', 'pipe', 'pipe'], input: 'fed' });
  assert.equal(result, { exitCode: 2, signal: null, stdout: 'fed', stderr: 'oops\n' });
});

test('cwd and env are the child\'s', async () => {
  const result = await runner.run('sh', ['-c', 'pwd; echo $ONLY'], { cwd: '/tmp', env: { ONLY: 'this', PATH: '/usr/bin:/bin' } });
  assert.is(result.stdout, '/tmp\nthis\n');
});

test('given fds become the child\'s stdio and its fds from 3 on', async () => {
  const [outR, outW] = sys.pipe();
  const [extraR, extraW] = sys.pipe();
  try {
    const result = await runner.run('sh', ['-c', 'echo to-stdout; echo to-fd3 >&3'], {
      stdio: ['ignore', outW, 'pipe'],
      extraFds: [extraW],
    });
    assert.is(result.exitCode, 0);
    assert.is(result.stdout, '');
    const buf = Buffer.alloc(64);
    assert.is(buf.subarray(0, fs.readSync(outR, buf)).toString(), 'to-stdout\n');
    assert.is(buf.subarray(0, fs.readSync(extraR, buf)).toString(), 'to-fd3\n');
  } finally {
    for (const fd of [outR, outW, extraR, extraW]) fs.closeSync(fd);
  }
});

test('a command killed by a signal reports it', async () => {
  const result = await runner.run('sh', ['-c', 'kill -TERM $$']);
  assert.is(result.exitCode, null);
  assert.is(result.signal, 'SIGTERM');
});

test('a missing program rejects with ENOENT', async () => {
  try {
    await runner.run('/nonexistent/metassembly-helper', []);
    assert.unreachable('resolved');
  } catch (err) {
    assert.is((err as NodeJS.ErrnoException).code, 'ENOENT');
  }
});

test('a command that leaves its stdout with a daemon still resolves soon after it exits', async () => {
  const started = Date.now();
  const result = await runner.run('sh', ['-c', 'sleep 3 & echo $!']);
  assert.ok(Date.now() - started < 2000);
  assert.is(result.exitCode, 0);
  const daemon = Number(result.stdout.trim());
  // Clean up the left-behind sleep; it is reparented to us or to init.
  process.kill(daemon, 'SIGKILL');
  sys.setChildSubreaper();
  for (let i = 0; i < 200; i++) {
    try {
      if (sys.waitpid(daemon) !== null) break;
    } catch {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});

test.run();
