import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitIdmapOptions } from '../../../src/process/mount-idmap';
import { InvalidArgumentError } from '../../../src/errors';

const overlay = ['index=off', 'workdir=/w', 'upperdir=/u', 'lowerdir=/l1:/l2'];
const range = (hostID: number, size = 65536): { containerID: number; hostID: number; size: number } => ({ containerID: 0, hostID, size });

// As containerd 2's overlay snapshotter writes them for a hostUsers: false pod: its
// containerd.io/snapshot/uidmapping labels, `container:host:size[,...]` (core/mount GetUsernsFD).
const accepted: Array<[string, string[], ReturnType<typeof splitIdmapOptions>]> = [
  ['no mapping: options untouched', overlay, { options: overlay }],
  [
    'one mapping each, anywhere in the list',
    ['index=off', 'uidmap=0:1073741824:65536', 'workdir=/w', 'gidmap=0:1073741824:65536', 'lowerdir=/l1'],
    { idmap: { uidMappings: [range(1073741824)], gidMappings: [range(1073741824)] }, options: ['index=off', 'workdir=/w', 'lowerdir=/l1'] },
  ],
  [
    'several mappings, comma-separated inside the one option',
    ['uidmap=0:100000:1,1:200000:65535', 'gidmap=0:300000:65536', 'lowerdir=/l1'],
    {
      idmap: { uidMappings: [range(100000, 1), { containerID: 1, hostID: 200000, size: 65535 }], gidMappings: [range(300000)] },
      options: ['lowerdir=/l1'],
    },
  ],
  ['the last of a repeated option wins', ['uidmap=0:1:1', 'uidmap=0:2:1', 'gidmap=0:3:1'], { idmap: { uidMappings: [range(2, 1)], gidMappings: [range(3, 1)] }, options: [] }],
];

for (const [name, options, want] of accepted) {
  test(`accepted: ${name}`, () => {
    assert.equal(splitIdmapOptions(options), want);
  });
}

const refused: Array<[string, string[], RegExp]> = [
  ['uidmap alone', ['uidmap=0:1000:65536', 'lowerdir=/l'], /has uidmap without gidmap/],
  ['gidmap alone', ['gidmap=0:1000:65536'], /has gidmap without uidmap/],
  ['two fields', ['uidmap=0:1000', 'gidmap=0:1000:1'], /"0:1000" is not container-id:host-id:size/],
  ['a negative id', ['uidmap=0:-1:1', 'gidmap=0:1:1'], /is not container-id:host-id:size/],
  ['not a number', ['uidmap=0:1:1', 'gidmap=root:1:1'], /gidmap=root:1:1/],
  ['an empty entry', ['uidmap=0:1:1,', 'gidmap=0:1:1'], /"" is not container-id:host-id:size/],
  ['an empty range', ['uidmap=0:1:0', 'gidmap=0:1:1'], /is not a range of 32-bit ids/],
  ['past 32 bits', ['uidmap=0:4294967295:2', 'gidmap=0:1:1'], /is not a range of 32-bit ids/],
];

for (const [name, options, message] of refused) {
  test(`refused: ${name}`, () => {
    try {
      splitIdmapOptions(options);
      assert.unreachable('accepted');
    } catch (err) {
      assert.instance(err, InvalidArgumentError);
      assert.match((err as Error).message, message);
    }
  });
}

test.run();
