/**
 * Idmapped rootfs mounts: the refusals over a fake Sys, then real mounts as root on tmpfs,
 * on a plain ext4 directory and on an overlay, looked at from the host and from inside a
 * user namespace with the pod's mapping.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code, type ShimError } from '../../../src/errors';
import { NativeSys } from '../../../src/sys/native-sys';
import { MNT, type IdMapping } from '../../../src/sys/sys';
import { mountIdmappedRootfs, RANGE_SIZE, unmountIdmappedRootfs } from '../../../src/userns';
import { errnoError, FakeSys } from '../../fakes/fake-sys';

const base = 2 ** 30 + 5 * RANGE_SIZE;
const mapping = {
  uidMappings: [{ containerID: 0, hostID: base, size: RANGE_SIZE }],
  gidMappings: [{ containerID: 0, hostID: base, size: RANGE_SIZE }],
};
const extHost = (release = '6.18.0') => ({
  kernelRelease: release,
  mounts: () => [{ mountPoint: '/b', fstype: 'ext4', mountOptions: ['rw'], superOptions: 'rw' }],
});

function thrown(fn: () => unknown): ShimError {
  try {
    fn();
  } catch (err) {
    return err as ShimError;
  }
  throw new Error('expected a throw');
}

test('an old kernel is refused by name before any syscall', () => {
  const sys = new FakeSys();
  const overlay = { mountPoint: '/b/rootfs', fstype: 'overlay', mountOptions: ['rw'], superOptions: 'rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w' };
  const err = thrown(() => mountIdmappedRootfs(sys, '/b/rootfs', '/b/rootfs', mapping, { kernelRelease: '5.15.0-91-generic', mounts: () => [overlay] }));
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /rootfs \/b\/rootfs \(overlay\).*overlays on idmapped layers need kernel 5\.19 or later; this kernel is 5\.15\.0-91-generic/);
  assert.match(err.message, /never chowned/);
  const old = thrown(() => mountIdmappedRootfs(sys, '/b/rootfs', '/b/rootfs', mapping, extHost('5.10.0')));
  assert.match(old.message, /\(ext4\) an idmapped mount .*: idmapped mounts need kernel 5\.12 or later/);
  assert.equal(sys.calls, []);
});

test('an overlay is idmapped only in place, at its mount point', () => {
  const sys = new FakeSys();
  const mounts = () => [{ mountPoint: '/host', fstype: 'overlay', mountOptions: ['rw'], superOptions: 'rw,lowerdir=/l' }];
  const inside = thrown(() => mountIdmappedRootfs(sys, '/host/rootfs', '/b/rootfs', mapping, { mounts }));
  assert.match(inside.message, /overlayfs cannot be idmapped itself.*\/host\/rootfs is not its overlay's mount point/);
  const elsewhere = thrown(() => mountIdmappedRootfs(sys, '/host', '/b/rootfs', mapping, { mounts }));
  assert.match(elsewhere.message, /\/host is not the target \/b\/rootfs/);
  assert.equal(sys.calls, []);
});

test('an overlay already on idmapped layers is refused by name, not idmapped twice', () => {
  const sys = new FakeSys();
  const overlay = {
    mountPoint: '/b/rootfs',
    fstype: 'overlay',
    mountOptions: ['rw'],
    superOptions: 'rw,lowerdir=/stage/l-1/0:/stage/l-1/1,upperdir=/u,workdir=/w',
  };
  const err = thrown(() => mountIdmappedRootfs(sys, '/b/rootfs', '/b/rootfs', mapping, { kernelRelease: '6.18.0', mounts: () => [overlay], stagingDir: '/stage' }));
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /^\/b\/rootfs: the overlay already stands on idmapped layers \(\/stage\); it is not idmapped twice$/);
  assert.equal(sys.calls, []);
});

test('the kernel refusing (EINVAL, EPERM, ENOSYS) becomes an error naming what is missing; fds are closed', () => {
  const cases: [string, string, RegExp][] = [
    ['mountSetattrIdmap', 'EINVAL', /mount_setattr: the ext4 filesystem does not support idmapped mounts on kernel 6\.18\.0 \(ext4 needs kernel 5\.12/],
    ['mountSetattrIdmap', 'EPERM', /not permitted; idmapped mounts need CAP_SYS_ADMIN in the host's initial user namespace/],
    ['openTree', 'ENOSYS', /kernel 6\.18\.0 lacks open_tree \(idmapped mounts need 5\.12 or later\)/],
  ];
  for (const [method, code, message] of cases) {
    const sys = new RealFdSys();
    const syscall = method === 'openTree' ? 'open_tree' : 'mount_setattr';
    sys.failWith.set(method as 'openTree', errnoError(code, syscall));
    const err = thrown(() => mountIdmappedRootfs(sys, '/b/rootfs', '/b/rootfs', mapping, extHost()));
    assert.is(err.code, Code.FailedPrecondition, code);
    assert.match(err.message, message);
    assert.is((err.cause as NodeJS.ErrnoException).code, code);
    assert.ok(sys.opened.length >= 1);
    for (const fd of sys.opened) assert.throws(() => fs.fstatSync(fd), /EBADF/, `${code}: fd ${fd} closed`);
    assert.equal(sys.mounts, []);
  }
});

/** Hands out real fds (of /dev/null) so the test can see they were closed. */
class RealFdSys extends FakeSys {
  readonly opened: number[] = [];
  override openTree(p: string, flags: number): number {
    super.openTree(p, flags);
    return this.open();
  }
  override usernsFdForMapping(uid: IdMapping[], gid: IdMapping[]): number {
    super.usernsFdForMapping(uid, gid);
    return this.open();
  }
  private open(): number {
    const fd = fs.openSync('/dev/null', 'r');
    this.opened.push(fd);
    return fd;
  }
}

test('unmount removes only an idmapped top mount, once', () => {
  const sys = new FakeSys();
  sys.mounts.push('/b/rootfs', '/b/rootfs');
  const top = (options: string[], superOptions = 'rw,lowerdir=/snap/1/fs,upperdir=/snap/2/fs,workdir=/snap/2/work') => ({
    mounts: () => [{ mountPoint: '/b/rootfs', fstype: 'overlay', mountOptions: options, superOptions }],
  });
  assert.not.ok(unmountIdmappedRootfs(sys, '/b/rootfs', top(['rw'])), 'a snapshotter\'s own overlay');
  assert.ok(unmountIdmappedRootfs(sys, '/b/rootfs', top(['rw', 'idmapped'])));
  assert.ok(unmountIdmappedRootfs(sys, '/b/rootfs', top(['rw'], 'rw,lowerdir=/run/metassembly/idmap/l-x/0:/run/metassembly/idmap/l-x/1,upperdir=/u,workdir=/w')));
  assert.equal(sys.callsTo('unmount'), [['/b/rootfs', MNT.DETACH], ['/b/rootfs', MNT.DETACH]]);
  assert.not.ok(unmountIdmappedRootfs(sys, '/b/rootfs', { mounts: () => [] }));
});

// ---- real mounts (root) ----

const sys = new NativeSys();
const isRoot = process.getuid?.() === 0;
const made: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-idmap-'));
  made.push(dir);
  return dir;
}

/** Files owned by on-disk uid/gid 0, 1000 and 70000 (outside any 65536 range). */
function populate(dir: string): void {
  fs.mkdirSync(path.join(dir, 'etc'), { recursive: true });
  for (const [name, id] of [['root-file', 0], ['user-file', 1000], ['far-file', 70000]] as const) {
    fs.writeFileSync(path.join(dir, 'etc', name), name);
    fs.chownSync(path.join(dir, 'etc', name), id, id);
  }
}

const owner = (file: string) => `${fs.statSync(file).uid}:${fs.statSync(file).gid}`;

/** stat from a process inside a user namespace with the pod's mapping, as its root. */
function ownersInside(dir: string): string {
  const userns = sys.usernsFdForMapping(mapping.uidMappings, mapping.gidMappings);
  try {
    return execFileSync('nsenter', [`--user=/proc/${process.pid}/fd/${userns}`, 'stat', '-c', '%n %u:%g', 'root-file', 'user-file', 'far-file'], {
      cwd: path.join(dir, 'etc'),
      encoding: 'utf8',
    });
  } finally {
    fs.closeSync(userns);
  }
}

/** Writes a file through `dir` as the pod's root (host uid `base`). */
function writeAsPodRoot(dir: string, name: string): void {
  const r = spawnSync('/bin/sh', ['-c', `echo x > ${name}`], { cwd: dir, uid: base, gid: base });
  assert.is(r.status, 0, String(r.stderr));
}

/**
 * `image`: where the files were made; `writes`: where the pod's writes land, as container
 * ids through an idmapped layer or as host ids in an overlay's un-idmapped upper layer.
 */
function checkIdmapped(view: string, image: string, writes = { dir: image, owner: '0:0' }): void {
  assert.is(owner(path.join(view, 'etc', 'root-file')), `${base}:${base}`, 'on-disk 0 shows as the range start on the host');
  assert.is(owner(path.join(view, 'etc', 'user-file')), `${base + 1000}:${base + 1000}`);
  assert.is(owner(path.join(view, 'etc', 'far-file')), '65534:65534', 'ids outside the range show as overflow');
  assert.is(ownersInside(view), 'root-file 0:0\nuser-file 1000:1000\nfar-file 65534:65534\n', 'and as container ids inside the pod');
  writeAsPodRoot(path.join(view, 'etc'), 'new-file');
  assert.is(owner(path.join(writes.dir, 'etc', 'new-file')), writes.owner, 'where the pod\'s writes land');
  assert.is(owner(path.join(image, 'etc', 'root-file')), '0:0', 'the image is never chowned');
}

function rootTest(name: string, body: () => void): void {
  test(name, () => {
    if (!isRoot) {
      console.log(`  skipped (needs root): ${name}`);
      return;
    }
    body();
  });
}

rootTest('tmpfs: the idmapped mount stacks on the rootfs itself, and unmount uncovers the original', () => {
  const dir = tempDir();
  const rootfs = path.join(dir, 'rootfs');
  const disk = path.join(dir, 'disk');
  fs.mkdirSync(rootfs);
  fs.mkdirSync(disk);
  sys.mount('tmpfs', rootfs, 'tmpfs', 0, 'mode=0755');
  try {
    populate(rootfs);
    sys.mount(rootfs, disk, '', 0x1000 /* MS_BIND */, ''); // an un-idmapped view of the same tmpfs
    mountIdmappedRootfs(sys, rootfs, rootfs, mapping);
    checkIdmapped(rootfs, disk);
    assert.ok(unmountIdmappedRootfs(sys, rootfs));
    assert.is(owner(path.join(rootfs, 'etc', 'root-file')), '0:0');
    assert.not.ok(unmountIdmappedRootfs(sys, rootfs), 'idempotent');
  } finally {
    for (const m of [disk, rootfs, rootfs]) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  }
});

rootTest('a plain ext4 directory (ctr --rootfs) gets an idmapped clone at the bundle\'s rootfs', () => {
  const dir = tempDir();
  const image = path.join(dir, 'image');
  const rootfs = path.join(dir, 'bundle', 'rootfs');
  fs.mkdirSync(image);
  fs.mkdirSync(rootfs, { recursive: true });
  populate(image);
  try {
    mountIdmappedRootfs(sys, image, rootfs, mapping);
    checkIdmapped(rootfs, image);
    assert.ok(unmountIdmappedRootfs(sys, rootfs));
    assert.equal(fs.readdirSync(rootfs), []);
  } finally {
    spawnSync('umount', ['-l', rootfs], { stdio: 'ignore' });
  }
});

rootTest('an overlay (a snapshotter\'s rootfs) is remounted in place on idmapped lower layers', () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o755); // the pod's root walks through it to reach the rootfs
  const [lower1, lower2, upper, work, rootfs, staging] = ['l1', 'l2', 'upper', 'work', 'rootfs', 'staging'].map((d) => path.join(dir, d));
  for (const d of [lower1, lower2, upper, work, rootfs]) fs.mkdirSync(d);
  populate(lower2);
  fs.writeFileSync(path.join(lower1, 'top-layer'), 'x');
  sys.mount('overlay', rootfs, 'overlay', 0x2 /* nosuid */, `lowerdir=${lower1}:${lower2},upperdir=${upper},workdir=${work}`);
  try {
    mountIdmappedRootfs(sys, rootfs, rootfs, mapping, { stagingDir: staging });
    checkIdmapped(rootfs, lower2, { dir: upper, owner: `${base}:${base}` });
    assert.is(owner(path.join(rootfs, 'top-layer')), `${base}:${base}`);
    assert.is(owner(upper), `${base}:${base}`, 'the fresh upper layer\'s top belongs to the pod\'s root');
    const tops = readMountinfoAt(rootfs);
    assert.is(tops.length, 1, 'the original overlay was replaced, not covered');
    assert.match(tops[0], /nosuid/);
    assert.equal(fs.readdirSync(staging), [], 'the staged layers are detached once the overlay holds them');
    assert.ok(unmountIdmappedRootfs(sys, rootfs, { stagingDir: staging }));
    assert.is(readMountinfoAt(rootfs).length, 0);
  } finally {
    spawnSync('umount', ['-l', rootfs], { stdio: 'ignore' });
  }
});

function readMountinfoAt(mountPoint: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === mountPoint);
}

rootTest('a filesystem that cannot be idmapped (ramfs) is refused with its name', () => {
  const rootfs = path.join(tempDir(), 'rootfs');
  fs.mkdirSync(rootfs);
  sys.mount('ramfs', rootfs, 'ramfs', 0, '');
  try {
    const err = thrown(() => mountIdmappedRootfs(sys, rootfs, rootfs, mapping));
    assert.is(err.code, Code.FailedPrecondition);
    assert.match(err.message, /\(ramfs\).*the ramfs filesystem does not support idmapped mounts on kernel .* \(ramfs is not known to support them\)/);
    assert.not.ok(unmountIdmappedRootfs(sys, rootfs), 'nothing was stacked');
  } finally {
    spawnSync('umount', ['-l', rootfs], { stdio: 'ignore' });
  }
});

rootTest('the user namespace helper: mappings as given, no process left in it, bad input refused', () => {
  const fd = sys.usernsFdForMapping(
    [{ containerID: 0, hostID: base, size: 1000 }, { containerID: 1000, hostID: base + 5000, size: 10 }],
    [{ containerID: 0, hostID: base, size: RANGE_SIZE }],
  );
  try {
    const inside = execFileSync('nsenter', [`--user=/proc/${process.pid}/fd/${fd}`, 'cat', '/proc/self/uid_map', '/proc/self/gid_map'], { encoding: 'utf8' });
    assert.equal(inside.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' ')), [
      `0 ${base} 1000`,
      `1000 ${base + 5000} 10`,
      `0 ${base} ${RANGE_SIZE}`,
    ]);
    assert.equal(fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim(), '', 'the helper child was reaped');
  } finally {
    fs.closeSync(fd);
  }
  assert.throws(() => sys.usernsFdForMapping([], mapping.gidMappings), /1 to 340 mappings/);
  assert.throws(() => sys.usernsFdForMapping([{ containerID: 0, hostID: -1, size: 1 }], mapping.gidMappings), /out of the 32-bit id range/);
  // Overlapping lines: the kernel refuses the map write.
  const err = thrown(() =>
    sys.usernsFdForMapping([{ containerID: 0, hostID: base, size: 10 }, { containerID: 5, hostID: base + 100, size: 10 }], mapping.gidMappings),
  );
  assert.is((err as unknown as NodeJS.ErrnoException).code, 'EINVAL');
});

test.after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
