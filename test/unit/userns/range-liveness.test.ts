/** The liveness rule of a range's holders, the collection over a state, and the /proc parsing, as tables. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectRanges, creatingOn, holderLive, type Holder, type LivenessFacts } from '../../../src/userns/holders';
import { parseIdMap, parseProcStat } from '../../../src/userns/host-processes';

const now = new Date('2025-01-01T00:00:00Z');
const later = '2025-01-01T00:05:00.000Z';
const earlier = '2024-12-31T23:55:00.000Z';
const facts: LivenessFacts = {
  bootId: 'boot-b',
  startTime: (pid) => ({ 100: '5000', 200: '6000' })[pid],
  now,
};
const init = (over: Partial<Holder> = {}): Holder => ({ boot: 'boot-b', pid: 100, start: '5000', role: 'init', ...over });

const liveness: Array<[string, Holder, boolean]> = [
  ['the init runs with the recorded start time', init(), true],
  ['the pid is dead', init({ pid: 300 }), false],
  ['the pid was reused by a later process', init({ start: '4999' }), false],
  ['the host booted again', init({ boot: 'boot-a' }), false],
  ['a creating daemon within its grace', init({ role: 'creating', pid: 200, start: '6000', until: later }), true],
  ['a creating daemon past its grace', init({ role: 'creating', pid: 200, start: '6000', until: earlier }), false],
  ['a creating daemon exactly at its deadline', init({ role: 'creating', pid: 200, start: '6000', until: now.toISOString() }), false],
  ['a creating daemon that died within its grace', init({ role: 'creating', pid: 201, start: '6000', until: later }), false],
  ['a deadline that does not parse', init({ role: 'creating', pid: 200, start: '6000', until: 'soon' }), false],
];

for (const [name, holder, live] of liveness) {
  test(`holder: ${name} → ${live ? 'live' : 'gone'}`, () => {
    assert.is(holderLive(holder, facts), live);
  });
}

test('collection frees ranges all of whose holders are gone, prunes dead holders, leaves legacy ranges alone', () => {
  const ranges = [
    { id: 'live', holders: [init()] },
    { id: 'all-dead', holders: [init({ pid: 300 }), init({ boot: 'boot-a' })] },
    { id: 'one-dead', holders: [init({ pid: 300 }), init({ pid: 200, start: '6000' })] },
    { id: 'empty', holders: [] },
    { id: 'legacy' },
  ];
  const { freed, pruned } = collectRanges(ranges, facts);
  assert.equal(freed.map((r) => r.id), ['all-dead', 'empty']);
  assert.equal(ranges.map((r) => r.id), ['live', 'one-dead', 'legacy']);
  assert.ok(pruned);
  assert.equal(ranges[1].holders, [init({ pid: 200, start: '6000' })]);
  assert.equal(collectRanges(ranges, facts), { freed: [], pruned: false }, 'a second pass changes nothing');
});

test('a range is being created on only while a live daemon holds it for that', () => {
  const creating = init({ role: 'creating', pid: 200, start: '6000', until: later });
  assert.ok(creatingOn({ holders: [init(), creating] }, facts));
  assert.not.ok(creatingOn({ holders: [init()] }, facts));
  assert.not.ok(creatingOn({ holders: [{ ...creating, until: earlier }] }, facts));
  assert.not.ok(creatingOn({}, facts));
});

test('/proc/<pid>/stat: the parent and field 22, whatever the command name holds', () => {
  const tail = 'S 42 15730 6803 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 1017749 3133440 418 18446744073709551615';
  assert.equal(parseProcStat(`15739 (cat) ${tail}`), { ppid: 42, start: '1017749' });
  assert.equal(parseProcStat(`15739 (a) b (c) ${tail}`), { ppid: 42, start: '1017749' });
  assert.is(parseProcStat('15739 (cat'), undefined);
  assert.is(parseProcStat('15739 (cat) S 42'), undefined);
});

test('uid_map lines', () => {
  assert.equal(parseIdMap('         0          0 4294967295\n'), [{ containerID: 0, hostID: 0, size: 4294967295 }]);
  assert.equal(parseIdMap('0 1073741824 65536\n1 2 3\n\n'), [
    { containerID: 0, hostID: 1073741824, size: 65536 },
    { containerID: 1, hostID: 2, size: 3 },
  ]);
  assert.equal(parseIdMap(''), []);
});

test.run();
