import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastErrorEntry, lastLoggedError, logOffset } from '../../../src/runtime/runtime-log';

let dir = '';
let log = '';

test.before.each(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'runtime-log-test-'));
  log = path.join(dir, 'log.json');
});
test.after.each(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const entry = (level: string, msg: string) => JSON.stringify({ level, msg, time: '2026-01-01T00:00:00Z' }) + '\n';

test('log: a missing log is empty', async () => {
  assert.is(await logOffset(log), 0);
  assert.is(await lastLoggedError(log, 0), undefined);
});

test('log: the last error entry wins, other levels are ignored', async () => {
  await fs.writeFile(log, entry('error', 'first') + entry('error', 'second') + entry('warning', 'later warning'));
  assert.is(await lastLoggedError(log, 0), 'second');
});

test('stderr: the last error entry of JSON text; plain text and other levels are not entries', () => {
  assert.is(lastErrorEntry(entry('warning', 'w') + entry('error', 'container does not exist')), 'container does not exist');
  assert.is(lastErrorEntry('container does not exist\n'), undefined);
  assert.is(lastErrorEntry(''), undefined);
});

test('log: only what was written after the offset counts', async () => {
  await fs.writeFile(log, entry('error', 'an earlier call'));
  const offset = await logOffset(log);
  assert.is(await lastLoggedError(log, offset), undefined);
  await fs.appendFile(log, entry('info', 'this call'));
  assert.is(await lastLoggedError(log, offset), undefined);
  await fs.appendFile(log, entry('error', 'this call failed'));
  assert.is(await lastLoggedError(log, offset), 'this call failed');
});

test("log: crun's key order and fatal entries", async () => {
  await fs.writeFile(log, '{"msg":"error loading config.json","level":"error","time":"2026-01-01T00:00:00.1Z"}\n' + entry('fatal', 'fatal one'));
  assert.is(await lastLoggedError(log, 0), 'fatal one');
});

test('log: lines that are not JSON entries are skipped', async () => {
  await fs.writeFile(log, entry('error', 'real') + 'plain text from a child\n{"level":"error","msg":"half wri');
  assert.is(await lastLoggedError(log, 0), 'real');
});

test('log: a log truncated since the offset is read whole', async () => {
  await fs.writeFile(log, entry('error', 'old old old old old old old old'));
  const offset = await logOffset(log);
  await fs.writeFile(log, entry('error', 'new'));
  assert.is(await lastLoggedError(log, offset), 'new');
});

test.run();
