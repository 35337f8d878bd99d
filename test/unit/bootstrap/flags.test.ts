import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFlags } from '../../../src/bootstrap/flags';

test('containerd start command line', () => {
  const f = parseFlags(['-namespace', 'k8s.io', '-address', '/run/containerd/containerd.sock', '-publish-binary', '/usr/bin/containerd', '-id', 'abc', '-debug', 'start']);
  assert.is(f.namespace, 'k8s.io');
  assert.is(f.address, '/run/containerd/containerd.sock');
  assert.is(f.publishBinary, '/usr/bin/containerd');
  assert.is(f.id, 'abc');
  assert.ok(f.debug);
  assert.is(f.action, 'start');
});

test('delete with -bundle, --double-dash and -name=value forms', () => {
  const f = parseFlags(['--namespace=default', '-id=x', '-bundle', '/b', 'delete', 'extra']);
  assert.is(f.namespace, 'default');
  assert.is(f.id, 'x');
  assert.is(f.bundle, '/b');
  assert.is(f.action, 'delete');
  assert.equal(f.rest, ['extra']);
});

test('-v and -info need no action', () => {
  assert.ok(parseFlags(['-v']).version);
  const info = parseFlags(['-info']);
  assert.ok(info.info);
  assert.is(info.action, '');
});

test('unknown flags, missing values and bad booleans are refused like Go flag does', () => {
  assert.throws(() => parseFlags(['-nope', 'start']), /flag provided but not defined: -nope/);
  assert.throws(() => parseFlags(['-id']), /flag needs an argument: -id/);
  assert.throws(() => parseFlags(['-debug=maybe']), /invalid boolean value/);
});

test.run();
