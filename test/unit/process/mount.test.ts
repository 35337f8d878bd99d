import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toMountCall } from '../../../src/process/mount';
import { MS } from '../../../src/sys/sys';

test('overlay: every option is filesystem data', () => {
  const call = toMountCall({
    type: 'overlay',
    source: 'overlay',
    target: '',
    options: ['index=off', 'workdir=/w', 'upperdir=/u', 'lowerdir=/l1:/l2'],
  });
  assert.equal(call, { source: 'overlay', fstype: 'overlay', flags: 0, data: 'index=off,workdir=/w,upperdir=/u,lowerdir=/l1:/l2', remountReadOnly: false });
});

test('flags are taken out of the options, later words win', () => {
  const call = toMountCall({ type: 'ext4', source: '/dev/x', target: '', options: ['ro', 'nosuid', 'rw', 'nodev', 'defaults', 'errors=remount-ro'] });
  assert.is(call.flags, MS.NOSUID | MS.NODEV);
  assert.is(call.data, 'errors=remount-ro');
});

test('a read-only bind needs a remount', () => {
  const call = toMountCall({ type: 'bind', source: '/src', target: '', options: ['rbind', 'ro'] });
  assert.is(call.flags, MS.BIND | MS.REC | MS.RDONLY);
  assert.ok(call.remountReadOnly);
});

test('a mount without a type is refused', () => {
  assert.throws(() => toMountCall({ type: '', source: '/x', target: '', options: [] }), /has no type/);
});

test.run();
