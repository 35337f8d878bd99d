/** The pure rules: pool shape, subordinate-id overlap, requested mappings, kernel support, mountinfo. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code, type ShimError } from '../../../src/errors';
import { idmapSince, kernelVersion, missingIdmapSupport } from '../../../src/userns/kernel-support';
import { mountOf, parseMountinfo } from '../../../src/userns/mountinfo';
import { formatOverlayOptions, parseOverlayOptions } from '../../../src/userns/overlay-options';
import { checkPool, isPoolRange, RANGE_SIZE } from '../../../src/userns/pool';
import { requestedRange } from '../../../src/userns/requested-mapping';
import { checkPoolAgainstSubids, parseSubidFile } from '../../../src/userns/subid-files';

const pool = { start: 2 ** 30, count: 8 };

function thrown(fn: () => unknown): ShimError {
  try {
    fn();
  } catch (err) {
    return err as ShimError;
  }
  throw new Error('expected a throw');
}

test('checkPool accepts an aligned pool inside the id space and refuses the rest', () => {
  checkPool(pool);
  checkPool({ start: RANGE_SIZE, count: 1 });
  assert.match(thrown(() => checkPool({ start: 2 ** 30 + 1, count: 1 })).message, /multiple of 65536/);
  assert.match(thrown(() => checkPool({ start: 0, count: 1 })).message, /at least 65536/);
  assert.match(thrown(() => checkPool({ start: RANGE_SIZE, count: 0 })).message, /positive/);
  assert.match(thrown(() => checkPool({ start: 2 ** 32 - 2 * RANGE_SIZE, count: 2 })).message, /32-bit id space/);
  assert.is(thrown(() => checkPool({ start: 0, count: 1 })).code, Code.InvalidArgument);
});

test('isPoolRange: only aligned starts inside the pool', () => {
  assert.ok(isPoolRange(pool, 2 ** 30));
  assert.ok(isPoolRange(pool, 2 ** 30 + 7 * RANGE_SIZE));
  assert.not.ok(isPoolRange(pool, 2 ** 30 + 8 * RANGE_SIZE));
  assert.not.ok(isPoolRange(pool, 2 ** 30 + 100));
  assert.not.ok(isPoolRange(pool, 2 ** 30 - RANGE_SIZE));
});

test('subordinate ids: entries that overlap the pool are refused, the kubelet entry is allowed', () => {
  const entries = parseSubidFile(
    ['# comment', 'alice:100000:65536', 'bob:1073807360:65536', 'kubelet:1073741824:524288', 'broken line', ''].join('\n'),
    '/etc/subuid',
  );
  assert.equal(entries.map((e) => e.owner), ['alice', 'bob', 'kubelet']);
  checkPoolAgainstSubids(pool, entries.filter((e) => e.owner !== 'bob'));
  const err = thrown(() => checkPoolAgainstSubids(pool, entries));
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /bob:1073807360:65536 in \/etc\/subuid/);
  // Touching the pool's first id counts; ending right before it does not.
  checkPoolAgainstSubids(pool, [{ file: 'f', owner: 'x', start: 2 ** 30 - 10, count: 10 }]);
  thrown(() => checkPoolAgainstSubids(pool, [{ file: 'f', owner: 'x', start: 2 ** 30 - 10, count: 11 }]));
});

test('a requested mapping is honoured only as one aligned pool range, uids = gids, container ids 0..65535', () => {
  const one = (hostID: number, containerID = 0, size = RANGE_SIZE) => [{ containerID, hostID, size }];
  const start = 2 ** 30 + 3 * RANGE_SIZE;
  assert.is(requestedRange({ uidMappings: one(start), gidMappings: one(start) }, pool, 'p'), start);
  const cases: [string, Parameters<typeof requestedRange>[0]][] = [
    ['is not a range of the pool', { uidMappings: one(65536), gidMappings: one(65536) }],
    ['is not a range of the pool', { uidMappings: one(start + 1), gidMappings: one(start + 1) }],
    ['does not map container ids 0-65535', { uidMappings: one(start, 0, 1000), gidMappings: one(start, 0, 1000) }],
    ['does not map container ids 0-65535', { uidMappings: one(start, 1), gidMappings: one(start, 1) }],
    ['maps gids differently', { uidMappings: one(start), gidMappings: one(start + RANGE_SIZE) }],
    ['exactly one uid and one gid line', { uidMappings: [...one(start), ...one(start)], gidMappings: one(start) }],
    ['exactly one uid and one gid line', { uidMappings: one(start), gidMappings: [] }],
  ];
  for (const [why, request] of cases) {
    const err = thrown(() => requestedRange(request, pool, 'pod-a'));
    assert.is(err.code, Code.InvalidArgument);
    assert.ok(err.message.includes(why), `${err.message} should say "${why}"`);
    assert.match(err.message, /pod pod-a/);
    assert.match(err.message, /"kubelet" entry of \/etc\/subuid/);
  }
});

test('kernel support: names the kernel and filesystem that are missing', () => {
  assert.equal(kernelVersion('6.18.44-fc-v657'), [6, 18]);
  assert.is(kernelVersion('weird'), undefined);
  assert.equal(idmapSince('overlay'), [5, 19]);
  assert.is(missingIdmapSupport('6.18.44', 'overlay'), undefined);
  assert.is(missingIdmapSupport('6.18.44', 'somefs'), undefined);
  assert.is(missingIdmapSupport('5.19.0', 'overlay'), undefined);
  assert.match(missingIdmapSupport('5.15.0-91', 'overlay')!, /idmapped overlay mounts need kernel 5\.19 or later; this kernel is 5\.15\.0-91/);
  assert.match(missingIdmapSupport('6.1.0', 'tmpfs')!, /idmapped tmpfs mounts need kernel 6\.3/);
  assert.match(missingIdmapSupport('5.10.0', 'ext4')!, /^idmapped mounts need kernel 5\.12/);
});

test('mountinfo: the topmost mount covering a path, its type and per-mount options', () => {
  const entries = parseMountinfo(
    [
      '22 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '30 22 0:40 / /run rw,nosuid - tmpfs tmpfs rw',
      '41 30 0:50 / /run/b\\040x/rootfs rw - overlay overlay rw,lowerdir=/l',
      '42 41 0:50 / /run/b\\040x/rootfs rw,idmapped - overlay overlay rw,lowerdir=/l',
    ].join('\n'),
  );
  assert.equal(mountOf(entries, '/run/b x/rootfs'), { mountPoint: '/run/b x/rootfs', fstype: 'overlay', mountOptions: ['rw', 'idmapped'], superOptions: 'rw,lowerdir=/l' });
  assert.is(mountOf(entries, '/run/b x/rootfs/etc')!.fstype, 'overlay');
  assert.is(mountOf(entries, '/run/other')!.fstype, 'tmpfs');
  assert.is(mountOf(entries, '/runner')!.fstype, 'ext4');
});

test('overlay options: layers out of mountinfo, written back with other lowers; odd paths refused', () => {
  const layers = parseOverlayOptions('rw,lowerdir=/s/3/fs:/s/2\\040x/fs,upperdir=/s/4/fs,workdir=/s/4/work,uuid=on,index=off');
  assert.equal(layers, { lowerdirs: ['/s/3/fs', '/s/2 x/fs'], upperdir: '/s/4/fs', workdir: '/s/4/work', rest: ['uuid=on', 'index=off'] });
  assert.is(formatOverlayOptions({ ...layers, lowerdirs: ['/st/0', '/st/1'] }), 'lowerdir=/st/0:/st/1,upperdir=/s/4/fs,workdir=/s/4/work,uuid=on,index=off');
  assert.equal(parseOverlayOptions('ro,lowerdir+=/a,lowerdir+=/b').lowerdirs, ['/a', '/b']);
  assert.throws(() => parseOverlayOptions('rw,upperdir=/u'), /without a lowerdir/);
  assert.throws(() => formatOverlayOptions({ lowerdirs: ['/a:b'], rest: [] }), /holds ':' or ','/);
});

test.run();
