import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnknownError } from '../../../src/errors';
import { createProcessIO } from '../../../src/io';
import {
  container,
  deps,
  endWriter,
  fdCount,
  fifoReader,
  fifoWriter,
  mkfifo,
  runtimeWithConsole,
  settle,
  tempDir,
  withTimeout,
  writeAll,
} from './helpers';

let dir = '';
let baseline = 0;

test.before(async () => {
  await container('true', 'ignore').exit;
});
test.before.each(() => {
  dir = tempDir();
  baseline = fdCount();
});
test.after.each(async () => {
  await settle(100);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.is(fdCount(), baseline, 'no fd leaked');
});

test('stdin reaches the terminal, output reaches stdout, resize sets the size the process sees', async () => {
  const stdin = mkfifo(dir, 'stdin');
  const out = mkfifo(dir, 'stdout');
  const reader = fifoReader(out);
  const io = await createProcessIO({ stdin, stdout: out, stderr: '', terminal: true }, deps(dir));
  assert.is(path.dirname(io.consoleSocket as string), path.join(dir, 'console'));
  assert.equal(io.runtimeStdio, ['ignore', 'ignore', 'ignore']);
  const writer = fifoWriter(stdin);
  const exit = runtimeWithConsole(io, 'read line; echo got:$line; stty size');
  await io.attach();
  io.resize(120, 33);
  await writeAll(writer, 'hello\n');
  assert.is(await withTimeout(exit, 5000, 'process exit'), 0);
  await io.drained(5000);
  const text = await withTimeout(reader.text, 5000, 'stdout EOF after the slave closed');
  assert.is(text, 'hello\r\ngot:hello\r\n33 120\r\n');
  await endWriter(writer);
  io.close();
  assert.not.ok(fs.existsSync(io.consoleSocket as string), 'socket file removed');
});

test('a resize before the master arrived is applied on attach', async () => {
  const stdin = mkfifo(dir, 'stdin');
  const out = mkfifo(dir, 'stdout');
  const reader = fifoReader(out);
  const io = await createProcessIO({ stdin, stdout: out, stderr: '', terminal: true }, deps(dir));
  io.resize(80, 20);
  const writer = fifoWriter(stdin);
  const exit = runtimeWithConsole(io, 'read line; stty size');
  await io.attach();
  await writeAll(writer, 'go\n');
  await withTimeout(exit, 5000, 'process exit');
  await io.drained(5000);
  assert.ok((await reader.text).endsWith('20 80\r\n'));
  await endWriter(writer);
  io.close();
});

test('stdin EOF (client closed, CloseIO) closes the console, ending the process', async () => {
  const stdin = mkfifo(dir, 'stdin');
  const out = mkfifo(dir, 'stdout');
  const reader = fifoReader(out);
  const io = await createProcessIO({ stdin, stdout: out, stderr: '', terminal: true }, deps(dir));
  const writer = fifoWriter(stdin);
  const exit = runtimeWithConsole(io, 'cat');
  await io.attach();
  await writeAll(writer, 'x\n');
  await endWriter(writer);
  io.closeStdin();
  await withTimeout(exit, 5000, 'cat ended by the hangup');
  await io.drained(5000);
  await withTimeout(reader.text, 5000, 'stdout EOF');
  io.close();
});

test('terminal output nobody reads is still drained', async () => {
  const io = await createProcessIO({ stdin: '', stdout: '', stderr: '', terminal: true }, deps(dir));
  const exit = runtimeWithConsole(io, 'head -c 300000 /dev/zero | od');
  await io.attach();
  assert.is(await withTimeout(exit, 5000, 'writer not blocked'), 0);
  await io.drained(5000);
  io.close();
});

test('attach rejects when the master never arrives', async () => {
  const io = await createProcessIO({ stdin: '', stdout: '', stderr: '', terminal: true }, deps(dir, { consoleTimeoutMs: 200 }));
  try {
    await io.attach();
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UnknownError);
    assert.match((err as Error).message, /failed to retrieve console master/);
  }
  io.close();
});

test('close before the runtime connected releases the pending receive', async () => {
  const out = mkfifo(dir, 'stdout');
  const reader = fifoReader(out);
  const io = await createProcessIO({ stdin: '', stdout: out, stderr: '', terminal: true }, deps(dir));
  const attached = io.attach().then(
    () => 'resolved',
    () => 'rejected',
  );
  io.close();
  assert.is(await withTimeout(attached, 2000, 'receive cancelled well before its 30 s timeout'), 'rejected');
  assert.is(await reader.text, '');
  assert.not.ok(fs.existsSync(io.consoleSocket as string));
});

test.run();
