import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError, UnknownError } from '../../../src/errors';
import { createProcessIO } from '../../../src/io';
import {
  container,
  deps,
  endWriter,
  fdCount,
  fifoReader,
  fifoWriter,
  mkfifo,
  settle,
  tempDir,
  withTimeout,
  writeAll,
} from './helpers';

let dir = '';
let baseline = 0;

test.before(async () => {
  // The first child spawn and the addon load open fds that stay for the process's life.
  await container('true', 'ignore').exit;
  addonWarmUp();
});
test.before.each(() => {
  dir = tempDir();
  baseline = fdCount();
});
test.after.each(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await settle();
  assert.is(fdCount(), baseline, 'no fd leaked');
});

function addonWarmUp(): void {
  const [r, w] = deps('/').sys.pipe();
  fs.closeSync(r);
  fs.closeSync(w);
}

test('stdout and stderr reach their FIFOs in order, EOF follows exit', async () => {
  const out = mkfifo(dir, 'stdout');
  const err = mkfifo(dir, 'stderr');
  const outReader = fifoReader(out);
  const errReader = fifoReader(err);
  const io = await createProcessIO({ stdin: '', stdout: out, stderr: err, terminal: false }, deps(dir));
  assert.is(io.runtimeStdio[0], 'ignore');
  assert.type(io.runtimeStdio[1], 'number');
  const c = container('for i in 1 2 3; do echo out$i; echo err$i >&2; done', io.runtimeStdio);
  await io.attach();
  assert.is(await c.exit, 0);
  await io.drained(5000);
  assert.is(await withTimeout(outReader.text, 5000, 'stdout EOF'), 'out1\nout2\nout3\n');
  assert.is(await withTimeout(errReader.text, 5000, 'stderr EOF'), 'err1\nerr2\nerr3\n');
  io.close();
  io.close();
});

test('the process gets real pipes, not sockets', async () => {
  const out = mkfifo(dir, 'stdout');
  const reader = fifoReader(out);
  const io = await createProcessIO({ stdin: '', stdout: out, stderr: '', terminal: false }, deps(dir));
  assert.is(io.runtimeStdio[2], 'ignore');
  const c = container('stat -L -c %F /dev/stdout; echo hi > /dev/stdout', io.runtimeStdio);
  await io.attach();
  await c.exit;
  await io.drained(5000);
  assert.is(await reader.text, 'fifo\nhi\n');
  io.close();
});

test('stdin reaches cat; EOF only after the client closed and CloseIO', async () => {
  const stdin = mkfifo(dir, 'stdin');
  const out = mkfifo(dir, 'stdout');
  const reader = fifoReader(out);
  const io = await createProcessIO({ stdin, stdout: out, stderr: '', terminal: false }, deps(dir));
  const writer = fifoWriter(stdin);
  const c = container('cat', io.runtimeStdio);
  await io.attach();
  await writeAll(writer, 'hello\n');
  await endWriter(writer);
  // Our own writer keeps the FIFO open: the client closing is not yet EOF.
  const early = await Promise.race([c.exit.then(() => 'exited'), settle(300).then(() => 'running')]);
  assert.is(early, 'running');
  io.closeStdin();
  assert.is(await withTimeout(c.exit, 5000, 'cat exit after CloseIO'), 0);
  await io.drained(5000);
  assert.is(await reader.text, 'hello\n');
  io.close();
});

test('CloseIO before the client closes its writer: EOF when it does (ctr with piped stdin)', async () => {
  const stdin = mkfifo(dir, 'stdin');
  const out = mkfifo(dir, 'stdout');
  const reader = fifoReader(out);
  const io = await createProcessIO({ stdin, stdout: out, stderr: '', terminal: false }, deps(dir));
  const writer = fifoWriter(stdin);
  const c = container('cat; echo done', io.runtimeStdio);
  await io.attach();
  await writeAll(writer, 'a\nb\n');
  io.closeStdin();
  await endWriter(writer);
  assert.is(await withTimeout(c.exit, 5000, 'cat exit'), 0);
  await io.drained(5000);
  assert.is(await reader.text, 'a\nb\ndone\n');
  io.close();
});

test('a stdout reader going away neither blocks nor crashes; a new reader gets later output', async () => {
  const stdin = mkfifo(dir, 'stdin');
  const out = mkfifo(dir, 'stdout');
  const first = fifoReader(out);
  const io = await createProcessIO({ stdin, stdout: out, stderr: '', terminal: false }, deps(dir));
  const writer = fifoWriter(stdin);
  const c = container('cat', io.runtimeStdio);
  await io.attach();
  const firstLine = new Promise<string>((resolve) => first.socket.once('data', (d) => resolve(String(d))));
  await writeAll(writer, 'one\n');
  assert.is(await withTimeout(firstLine, 5000, 'first line'), 'one\n');
  first.socket.destroy();
  // Far more than a FIFO plus a pipe hold: cat would block if we stopped draining it.
  const bulk = Buffer.alloc(1 << 20, 'x');
  await withTimeout(writeAll(writer, bulk), 10000, 'cat kept consuming with no reader');
  await settle(200);
  const second = fifoReader(out);
  await writeAll(writer, 'two\n');
  await endWriter(writer);
  io.closeStdin();
  assert.is(await withTimeout(c.exit, 5000, 'cat exit'), 0);
  await io.drained(5000);
  const text = await withTimeout(second.text, 5000, 'second reader EOF');
  assert.ok(text.endsWith('two\n'), `second reader got the later output (${text.length} bytes)`);
  io.close();
});

test('drained gives up after its timeout while a descendant holds the pipe', async () => {
  const out = mkfifo(dir, 'stdout');
  const reader = fifoReader(out);
  const io = await createProcessIO({ stdin: '', stdout: out, stderr: '', terminal: false }, deps(dir));
  const c = container('sleep 5 & echo $!', io.runtimeStdio);
  await io.attach();
  await c.exit;
  const started = Date.now();
  await io.drained(200);
  assert.ok(Date.now() - started < 2000);
  io.close();
  const pid = Number((await reader.text).trim());
  process.kill(pid, 'SIGKILL');
});

test('file:// appends stdout and stderr to one file, creating the directory', async () => {
  const file = path.join(dir, 'logs', 'sub', 'out.log');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'before\n');
  fs.rmSync(path.join(dir, 'logs'), { recursive: true });
  for (const round of [1, 2]) {
    const uri = `file://${file}`;
    const io = await createProcessIO({ stdin: '', stdout: uri, stderr: uri, terminal: false }, deps(dir));
    const c = container(`echo out${round}; sleep 0.1; echo err${round} >&2`, io.runtimeStdio);
    await io.attach();
    await c.exit;
    await io.drained(5000);
    io.close();
  }
  assert.is(fs.readFileSync(file, 'utf8'), 'out1\nerr1\nout2\nerr2\n');
});

test('a plain path that is a regular file is appended to', async () => {
  const file = path.join(dir, 'plain.log');
  fs.writeFileSync(file, 'x\n');
  const io = await createProcessIO({ stdin: '', stdout: file, stderr: '', terminal: false }, deps(dir));
  const c = container('echo y', io.runtimeStdio);
  await io.attach();
  await c.exit;
  await io.drained(5000);
  io.close();
  assert.is(fs.readFileSync(file, 'utf8'), 'x\ny\n');
});

test('stdin written after the process exited is drained without a crash', async () => {
  const stdin = mkfifo(dir, 'stdin');
  const io = await createProcessIO({ stdin, stdout: '', stderr: '', terminal: false }, deps(dir));
  const writer = fifoWriter(stdin);
  const c = container('true', io.runtimeStdio);
  await io.attach();
  await c.exit;
  await withTimeout(writeAll(writer, Buffer.alloc(1 << 20)), 5000, 'client writes not blocked');
  await endWriter(writer);
  io.close();
});

test('a stdin path that is not a FIFO fails Create', async () => {
  const file = path.join(dir, 'regular');
  fs.writeFileSync(file, '');
  try {
    await createProcessIO({ stdin: file, stdout: '', stderr: '', terminal: false }, deps(dir));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UnknownError);
    assert.match((err as Error).message, /opening stdin .* failed: not a FIFO/);
  }
});

test('unknown scheme is InvalidArgument', async () => {
  try {
    await createProcessIO({ stdin: '', stdout: 'http://x/y', stderr: '', terminal: false }, deps(dir));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, InvalidArgumentError);
    assert.is((err as Error).message, 'unknown STDIO scheme http');
  }
});

test('a missing FIFO fails Create and leaves nothing open', async () => {
  const stdin = mkfifo(dir, 'stdin');
  try {
    await createProcessIO({ stdin, stdout: path.join(dir, 'missing'), stderr: '', terminal: false }, deps(dir));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UnknownError);
    assert.match((err as Error).message, /opening stdout .*missing failed/);
  }
});

test('no stdio at all: everything is ignored', async () => {
  const io = await createProcessIO({ stdin: '', stdout: '', stderr: '', terminal: false }, deps(dir));
  assert.equal(io.runtimeStdio, ['ignore', 'ignore', 'ignore']);
  await io.attach();
  await io.drained(1000);
  io.close();
});

test('close() before attach releases the child ends too', async () => {
  const stdin = mkfifo(dir, 'stdin');
  const out = mkfifo(dir, 'stdout');
  const reader = fifoReader(out);
  const io = await createProcessIO({ stdin, stdout: out, stderr: out, terminal: false }, deps(dir));
  io.close();
  assert.is(await withTimeout(reader.text, 5000, 'reader EOF'), '');
});

test.run();
