import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toMountCall } from '../../../src/process/mount';
import { mountRootfs } from '../../../src/process/rootfs';
import { MS } from '../../../src/sys/sys';
import { errnoError, FakeSys } from '../../fakes/fake-sys';

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

test('uidmap/gidmap are not filesystem data: the call carries them as the mapping to idmap with', () => {
  const call = toMountCall({
    type: 'overlay',
    source: 'overlay',
    target: '',
    options: ['index=off', 'workdir=/w', 'upperdir=/u', 'lowerdir=/l1:/l2', 'uidmap=0:1000:65536', 'gidmap=0:2000:65536'],
  });
  assert.is(call.data, 'index=off,workdir=/w,upperdir=/u,lowerdir=/l1:/l2');
  assert.equal(call.idmap, { uidMappings: [{ containerID: 0, hostID: 1000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 2000, size: 65536 }] });
});

const mapped = { type: 'overlay', source: 'overlay', target: '', options: ['lowerdir=/l', 'uidmap=0:1000:65536', 'gidmap=0:1000:65536'] };

test('mountRootfs: a mapped mount is mounted without the mapping, then idmapped in place', () => {
  const sys = new FakeSys();
  const idmapped: Array<[string, unknown]> = [];
  mountRootfs(sys, [mapped], '/b/rootfs', (target, mapping) => idmapped.push([target, mapping]));
  assert.equal(sys.calls.map((c) => c.args), [['overlay', '/b/rootfs', 'overlay', 0, 'lowerdir=/l']]);
  assert.equal(idmapped, [['/b/rootfs', { uidMappings: [{ containerID: 0, hostID: 1000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 65536 }] }]]);
});

test('mountRootfs: an unmapped mount is not idmapped', () => {
  const sys = new FakeSys();
  mountRootfs(sys, [{ ...mapped, options: ['lowerdir=/l'] }], '/b/rootfs', () => assert.unreachable('idmapped'));
  assert.equal(sys.mounts, ['/b/rootfs']);
});

test('mountRootfs: when the idmapping fails, the rootfs is taken down and the error stays its own', () => {
  const sys = new FakeSys();
  const refused = errnoError('EINVAL', 'mount_setattr');
  assert.throws(
    () =>
      mountRootfs(sys, [mapped], '/b/rootfs', () => {
        throw refused;
      }),
    (err: unknown) => err === refused,
  );
  assert.equal(sys.mounts, [], 'nothing left mounted');
});

test.run();
