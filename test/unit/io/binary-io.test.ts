import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnknownError } from '../../../src/errors';
import { createProcessIO } from '../../../src/io';
import { container, deps, fdCount, runtimeWithConsole, settle, tempDir, withTimeout } from './helpers';

/**
 * A logger as containerd documents them: stdout on fd 3, stderr on fd 4, readiness
 * on fd 5. It records what it was given into the directory named by its `dir` arg.
 */
const LOGGER = `#!${process.execPath}
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
const dir = args[args.indexOf('dir') + 1];
fs.writeFileSync(path.join(dir, 'env.json'), JSON.stringify(process.env));
fs.writeFileSync(path.join(dir, 'args.json'), JSON.stringify(args));
let open = 2;
for (const [fd, name] of [[3, 'stdout.log'], [4, 'stderr.log']]) {
  fs.createReadStream(null, { fd }).pipe(fs.createWriteStream(path.join(dir, name))).on('finish', () => {
    if (--open === 0) fs.writeFileSync(path.join(dir, 'done'), '');
  });
}
setInterval(() => {}, 1000); // a logger lives until it is told to go
process.on('SIGTERM', () => { fs.writeFileSync(path.join(dir, 'term'), ''); process.exit(0); });
const delay = Number(args[args.indexOf('delay') + 1] || 0);
setTimeout(() => { fs.writeSync(5, 'r'); fs.closeSync(5); }, delay);
`;

let dir = '';
let logger = '';
let baseline = 0;

test.before(async () => {
  await container('true', 'ignore').exit;
});
test.before.each(() => {
  dir = tempDir();
  logger = path.join(dir, 'logger.js');
  fs.writeFileSync(logger, LOGGER, { mode: 0o755 });
  baseline = fdCount();
});
test.after.each(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await settle();
  assert.is(fdCount(), baseline, 'no fd leaked');
});

async function waitForFile(file: string): Promise<void> {
  await withTimeout(
    (async () => {
      while (!fs.existsSync(file)) await settle(20);
    })(),
    5000,
    `waiting for ${file}`,
  );
}

test('binary:// logger gets the output on fds 3 and 4, env and args right, SIGTERM on close', async () => {
  const uri = `binary://${logger}?dir=${encodeURIComponent(dir)}&mode=x%20y`;
  const io = await createProcessIO({ stdin: '', stdout: uri, stderr: uri, terminal: false }, deps(dir));
  const c = container('echo to-out; echo to-err >&2', io.runtimeStdio);
  await io.attach();
  await c.exit;
  await io.drained(1000);
  await waitForFile(path.join(dir, 'done'));
  assert.is(fs.readFileSync(path.join(dir, 'stdout.log'), 'utf8'), 'to-out\n');
  assert.is(fs.readFileSync(path.join(dir, 'stderr.log'), 'utf8'), 'to-err\n');
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'env.json'), 'utf8')), {
    CONTAINER_ID: 'c1',
    CONTAINER_NAMESPACE: 'ns1',
  });
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'args.json'), 'utf8')), ['dir', dir, 'mode', 'x y']);
  assert.not.ok(fs.existsSync(path.join(dir, 'term')));
  io.close();
  await waitForFile(path.join(dir, 'term'));
});

test('with a terminal the logger gets the console output on fd 3 and EOF on fd 4', async () => {
  const uri = `binary://${logger}?dir=${encodeURIComponent(dir)}`;
  const io = await createProcessIO({ stdin: '', stdout: uri, stderr: '', terminal: true }, deps(dir));
  const exit = runtimeWithConsole(io, 'echo on-tty; echo also-tty >&2');
  await io.attach();
  await withTimeout(exit, 5000, 'process exit');
  await io.drained(5000);
  await waitForFile(path.join(dir, 'done'));
  assert.is(fs.readFileSync(path.join(dir, 'stdout.log'), 'utf8'), 'on-tty\r\nalso-tty\r\n');
  assert.is(fs.readFileSync(path.join(dir, 'stderr.log'), 'utf8'), '');
  io.close();
  await waitForFile(path.join(dir, 'term'));
});

test('Create waits until the logger is ready', async () => {
  const uri = `binary://${logger}?dir=${encodeURIComponent(dir)}&delay=300`;
  const started = Date.now();
  const io = await createProcessIO({ stdin: '', stdout: uri, stderr: uri, terminal: false }, deps(dir));
  assert.ok(Date.now() - started >= 250, 'waited for the ready byte');
  io.close();
  await waitForFile(path.join(dir, 'term'));
});

test('a logger that cannot start fails Create and leaves nothing open', async () => {
  const uri = `binary://${path.join(dir, 'no-such-logger')}`;
  try {
    await createProcessIO({ stdin: '', stdout: uri, stderr: uri, terminal: false }, deps(dir));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, UnknownError);
    assert.match((err as Error).message, /failed to start logging binary .*ENOENT/);
  }
});

test.run();
