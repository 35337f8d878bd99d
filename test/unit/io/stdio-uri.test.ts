import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError } from '../../../src/errors';
import { parseOutputTarget } from '../../../src/io/stdio-uri';

test('a path without a scheme is a path (FIFO or file)', () => {
  assert.equal(parseOutputTarget('/run/containerd/fifo/1/c-stdout'), { kind: 'path' });
  assert.equal(parseOutputTarget('/var/lib/x:y/c-stdout'), { kind: 'path' });
});

test('file:// decodes its path', () => {
  assert.equal(parseOutputTarget('file:///var/log/a%20b.log'), { kind: 'file', path: '/var/log/a b.log' });
});

test('binary:// gives the path and key value args in order, first value per key', () => {
  assert.equal(parseOutputTarget('binary:///usr/bin/logger?b=2&a=x+y&flag&b=3'), {
    kind: 'binary',
    path: '/usr/bin/logger',
    args: ['b', '2', 'a', 'x y', 'flag', ''],
  });
});

test('unknown schemes and relative targets are InvalidArgument', () => {
  assert.throws(() => parseOutputTarget('tcp://1.2.3.4:5'), (e: Error) => e instanceof InvalidArgumentError && e.message === 'unknown STDIO scheme tcp');
  assert.throws(() => parseOutputTarget('binary://logger'), (e: Error) => e instanceof InvalidArgumentError);
});

test.run();
