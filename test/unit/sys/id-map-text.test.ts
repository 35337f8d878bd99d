/**
 * The kernel's uid_map/gid_map text: parsed exactly or refused, and compared as a set of
 * extents (the kernel shows more than five sorted, not as written).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatIdMappings, parseIdMapText, sameIdMappings } from '../../../src/sys/id-map-text';
import type { IdMapping } from '../../../src/sys/sys';

const m = (containerID: number, hostID: number, size: number): IdMapping => ({ containerID, hostID, size });

test('parseIdMapText: the kernel\'s padded lines, several extents, the full 32-bit range, nothing', () => {
  const cases: Array<[string, IdMapping[]]> = [
    ['         0 1073741824      65536\n', [m(0, 2 ** 30, 65536)]],
    ['         0          0 4294967295\n', [m(0, 0, 4294967295)]],
    ['0 1000 1\n1 100000 65536\n', [m(0, 1000, 1), m(1, 100000, 65536)]],
    ['0 0 1', [m(0, 0, 1)]],
    ['', []],
  ];
  for (const [text, expected] of cases) assert.equal(parseIdMapText(text), expected, JSON.stringify(text));
});

test('parseIdMapText: any other shape throws, naming the line', () => {
  const cases = ['0 0\n', '0 0 1 2\n', '0 -1 1\n', '0 0x10 1\n', '0 4294967296 1\n', '0 1.5 1\n', 'a b c\n', '0 0 12345678901\n'];
  for (const text of cases) {
    assert.throws(() => parseIdMapText(text), (err: Error) => err.message.startsWith('not an id map line: '), JSON.stringify(text));
  }
});

test('sameIdMappings: the same extents in any order; a differing field, a missing or a repeated extent differ', () => {
  const a = [m(0, 100, 10), m(10, 500, 5)];
  const cases: Array<[IdMapping[], IdMapping[], boolean]> = [
    [a, [m(10, 500, 5), m(0, 100, 10)], true],
    [a, a, true],
    [[], [], true],
    [a, [m(0, 100, 10)], false],
    [a, [m(0, 100, 10), m(10, 500, 6)], false],
    [a, [m(0, 101, 10), m(10, 500, 5)], false],
    [[m(0, 100, 10), m(0, 100, 10)], [m(0, 100, 10)], false],
    [[m(0, 100, 10), m(0, 100, 10)], [m(0, 100, 10), m(10, 500, 5)], false],
  ];
  for (const [x, y, same] of cases) assert.is(sameIdMappings(x, y), same, `${formatIdMappings(x)} vs ${formatIdMappings(y)}`);
});

test('formatIdMappings: "inside outside count", comma-separated', () => {
  assert.is(formatIdMappings([m(0, 100, 10), m(10, 500, 5)]), '0 100 10, 10 500 5');
  assert.is(formatIdMappings([]), '');
});

test.run();
