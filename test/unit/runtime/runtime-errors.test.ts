import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code } from '../../../src/errors';
import { classifyRuntimeFailure, type RuntimeCall } from '../../../src/runtime/runtime-errors';
import type { CommandResult } from '../../../src/sys/sys';

const failed = (stderr = '', exitCode: number | null = 1, signal: NodeJS.Signals | null = null): CommandResult => ({
  exitCode,
  signal,
  stdout: '',
  stderr,
});
const call = (subcommand: string, binary = 'runc'): RuntimeCall => ({ binary, subcommand, id: 'c1', root: '/run/r' });

// Messages as runc 1.1.5 and crun 1.8.1 print them on this host (see runtime-errors.ts).
const table: Array<[string, RuntimeCall, string, Code]> = [
  ['runc state unknown id', call('state'), 'container does not exist', Code.NotFound],
  ['runc kill unknown id', call('kill'), 'container does not exist', Code.NotFound],
  ['runc delete unknown id', call('delete'), 'container does not exist', Code.NotFound],
  ['runc kill stopped', call('kill'), 'container not running', Code.NotFound],
  ['runc pause stopped is not a kill', call('pause'), 'container not running', Code.Unknown],
  ['runc create taken id', call('create'), 'runc create failed: container with given ID already exists', Code.AlreadyExists],
  ['runc create bad rootfs', call('create'), 'runc create failed: rootfs (/x) does not exist', Code.Unknown],
  ['runc create bad config', call('create'), 'runc create failed: Cwd must be an absolute path', Code.Unknown],
  ['crun state unknown id', call('state', 'crun'), 'error opening file `/run/r/c1/status`: No such file or directory', Code.NotFound],
  ['crun delete unknown id', call('delete', 'crun'), "cannot open directory '/run/r/c1': No such file or directory", Code.NotFound],
  ['crun kill exited', call('kill', 'crun'), 'kill container: No such process', Code.NotFound],
  ['crun other missing file', call('start', 'crun'), 'error opening file `/etc/x`: No such file or directory', Code.Unknown],
  ['crun hybrid', call('create', 'crun'), 'cgroups in hybrid mode not supported, drop all controllers from cgroupv2', Code.Unknown],
];

for (const [name, c, message, code] of table) {
  test(`classify: ${name}`, () => {
    const err = classifyRuntimeFailure(c, { result: failed('ignored stderr'), loggedError: message });
    assert.is(err.code, code);
    assert.is(err.message, message);
  });
}

test('classify: stderr (last line) when the log said nothing', () => {
  const err = classifyRuntimeFailure(call('ps', 'crun'), {
    result: failed('warning: x\nerror opening file `/run/r/c1/status`: No such file or directory\n'),
  });
  assert.is(err.code, Code.NotFound);
  assert.is(err.message, 'error opening file `/run/r/c1/status`: No such file or directory');
});

test('classify: exit status when there is nothing to read', () => {
  const err = classifyRuntimeFailure(call('start'), { result: failed('  \n', 3) });
  assert.is(err.code, Code.Unknown);
  assert.is(err.message, 'runc start failed: exit status 3');
});

test('classify: killed by a signal', () => {
  const err = classifyRuntimeFailure(call('update', 'crun'), { result: failed('', null, 'SIGKILL') });
  assert.is(err.message, 'crun update failed: killed by signal SIGKILL');
});

test('classify: a trailing slash on the root still matches crun paths', () => {
  const err = classifyRuntimeFailure(
    { binary: 'crun', subcommand: 'state', id: 'c1', root: '/run/r/' },
    { result: failed(), loggedError: 'error opening file `/run/r/c1/status`: No such file or directory' },
  );
  assert.is(err.code, Code.NotFound);
});

test('classify: missing binary names it and PATH', () => {
  const enoent = Object.assign(new Error('spawn runc ENOENT'), { code: 'ENOENT' });
  const err = classifyRuntimeFailure(call('create'), { spawnError: enoent });
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /^OCI runtime "runc" was not found in PATH \(/);
  assert.is(err.cause, enoent);
});

test('classify: missing binary given as a path', () => {
  const enoent = Object.assign(new Error('spawn /opt/runc ENOENT'), { code: 'ENOENT' });
  const err = classifyRuntimeFailure(call('create', '/opt/runc'), { spawnError: enoent });
  assert.is(err.message, 'OCI runtime "/opt/runc" was not found');
});

test('classify: a binary without the exec bit', () => {
  const eacces = Object.assign(new Error('spawn /opt/runc EACCES'), { code: 'EACCES' });
  const err = classifyRuntimeFailure(call('state', '/opt/runc'), { spawnError: eacces });
  assert.is(err.code, Code.FailedPrecondition);
  assert.is(err.message, 'OCI runtime "/opt/runc" is not executable');
});

test('classify: other spawn failures', () => {
  const err = classifyRuntimeFailure(call('state'), { spawnError: new Error('EMFILE') });
  assert.is(err.code, Code.Unknown);
  assert.is(err.message, 'runc state could not be started: EMFILE');
});

test.run();
