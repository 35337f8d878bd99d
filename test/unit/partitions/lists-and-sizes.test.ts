/** The kernel's list format and byte sizes, both ways. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError } from '../../../src/errors';
import { GiB, MiB, formatCpuList, formatSize, parseCpuList, parseSize } from '../../../src/partitions';

test('cpu lists parse to sorted unique ids and format back to ranges', () => {
  const cases: Array<[string, number[], string]> = [
    ['0', [0], '0'],
    ['0-3', [0, 1, 2, 3], '0-3'],
    ['0-1,8,10-11', [0, 1, 8, 10, 11], '0-1,8,10-11'],
    ['3,1,2,2', [1, 2, 3], '1-3'],
    [' 4-5\n', [4, 5], '4-5'],
    ['', [], ''],
  ];
  for (const [text, ids, formatted] of cases) {
    assert.equal(parseCpuList(text), ids, text);
    assert.is(formatCpuList(ids), formatted, text);
  }
});

test('bad cpu lists say what is wrong', () => {
  for (const text of ['a', '3-1', '1,,2', '-1', '1-']) {
    assert.throws(() => parseCpuList(text, '--cpus'), (err: Error) => err instanceof InvalidArgumentError && err.message.startsWith('--cpus'), text);
  }
});

test('sizes: binary and decimal units, fractions, plain bytes; formatting keeps one decimal', () => {
  const cases: Array<[string, number]> = [
    ['4GiB', 4 * GiB],
    ['4G', 4 * GiB],
    ['4gb', 4e9],
    ['1.5GiB', 1.5 * GiB],
    ['800MiB', 800 * MiB],
    ['512M', 512 * MiB],
    ['1073741824', GiB],
    ['2TiB', 2048 * GiB],
  ];
  for (const [text, bytes] of cases) assert.is(parseSize(text), bytes, text);
  assert.is(formatSize(16 * GiB), '16GiB');
  assert.is(formatSize(1.5 * GiB), '1.5GiB');
  assert.is(formatSize(800 * MiB), '800MiB');
  assert.is(formatSize(512 * 1024 * GiB), '512TiB');
  assert.is(formatSize(12), '12B');
  for (const bad of ['', 'GiB', '4 parsecs', '-1G', '4GiBs']) assert.throws(() => parseSize(bad), (err: Error) => err instanceof InvalidArgumentError, bad);
});

test.run();
