/**
 * podNetworkHost on the real kernel (root): a sysfs of a network namespace staged under a temp
 * directory shows that namespace's interfaces only, read-only, private, behind 0711 directories;
 * sysctls land in that namespace, not the host's; the calling thread is back in its own network
 * namespace after every call, failed ones included; release takes it all down.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code, type ShimError } from '../../../src/errors';
import { NativeSys } from '../../../src/sys/native-sys';
import { netSysctlPath, podNetworkHost } from '../../../src/task/pod-network-host';
import { mountOf, readMountinfo } from '../../../src/userns/mountinfo';

test('netSysctlPath: net.* names as runc writes them; anything else refused', () => {
  assert.is(netSysctlPath('net.ipv4.ip_unprivileged_port_start'), '/proc/sys/net/ipv4/ip_unprivileged_port_start');
  assert.is(netSysctlPath('net.ipv4.conf.eth0/100.rp_filter'), '/proc/sys/net/ipv4/conf/eth0/100/rp_filter');
  for (const bad of ['kernel.shm_rmid_forced', 'net', 'net..ipv4', 'net.ipv4.', 'net./x', 'netx.y']) {
    assert.throws(() => netSysctlPath(bad), (e: ShimError) => e.code === Code.InvalidArgument, bad);
  }
});

const root = process.getuid?.() === 0;
const selfNetns = (): string => fs.readlinkSync('/proc/thread-self/ns/net');

if (!root) {
  console.log('pod-network-host: the staging tests need root; skipped');
} else {
  test('stage, write sysctls, release: on a network namespace of the test\'s own', () => {
    const netnsName = `mtest-podnet-${process.pid}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-podnet-'));
    execFileSync('ip', ['netns', 'add', netnsName]);
    const netns = `/run/netns/${netnsName}`;
    const sys = new NativeSys();
    const host = podNetworkHost(sys, path.join(dir, 'sysfs'));
    const before = selfNetns();
    try {
      const target = host.sysfsPath('k8s.io', 'pod1');
      assert.is(target, path.join(dir, 'sysfs', 'k8s.io', 'pod1', 'sys'));
      assert.not.ok(host.staged('k8s.io', 'pod1'));
      host.stageSysfs('k8s.io', 'pod1', netns);
      assert.ok(host.staged('k8s.io', 'pod1'));
      assert.is(selfNetns(), before, 'back in the shim\'s network namespace');
      assert.equal(fs.readdirSync(path.join(target, 'class', 'net')), ['lo'], 'the pod\'s interfaces only');
      const mount = mountOf(readMountinfo(), target);
      assert.is(mount?.fstype, 'sysfs');
      assert.ok(mount?.mountOptions.includes('ro'), mount?.mountOptions.join(','));
      const line = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === target) ?? '';
      assert.not.match(line, / shared:/, `private: ${line}`);
      for (const d of [path.join(dir, 'sysfs'), path.join(dir, 'sysfs', 'k8s.io'), path.join(dir, 'sysfs', 'k8s.io', 'pod1')]) {
        assert.is(fs.statSync(d).mode & 0o777, 0o711, d);
      }
      host.stageSysfs('k8s.io', 'pod1', netns);
      assert.is(readMountinfo().filter((m) => m.mountPoint === target).length, 1, 'staged once');

      const hostValue = fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8');
      host.writeSysctls(netns, { 'net.ipv4.ip_unprivileged_port_start': '77', 'net.ipv4.ping_group_range': '0 2147483647' });
      assert.is(selfNetns(), before);
      const inside = (file: string) => execFileSync('ip', ['netns', 'exec', netnsName, 'cat', file], { encoding: 'utf8' }).trim();
      assert.is(inside('/proc/sys/net/ipv4/ip_unprivileged_port_start'), '77');
      assert.is(inside('/proc/sys/net/ipv4/ping_group_range').replace(/\s+/g, ' '), '0 2147483647');
      assert.is(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'), hostValue, 'the host\'s is untouched');

      assert.throws(() => host.writeSysctls(netns, { 'net.ipv4.no_such_sysctl': '1' }), (e: ShimError) => e.code === Code.FailedPrecondition && /ENOENT/.test(e.message));
      assert.is(selfNetns(), before, 'back after a failed write too');

      host.release('k8s.io', 'pod1');
      assert.not.ok(host.staged('k8s.io', 'pod1'));
      assert.is(mountOf(readMountinfo(), target)?.mountPoint === target, false, 'unmounted');
      assert.equal(fs.readdirSync(path.join(dir, 'sysfs')), [], 'its directories are gone, the namespace\'s too');
      host.release('k8s.io', 'pod1');
    } finally {
      host.release('k8s.io', 'pod1');
      execFileSync('ip', ['netns', 'delete', netnsName]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('staging on a path that is no network namespace fails, leaves nothing, and the thread stays home', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-podnet-'));
    const host = podNetworkHost(new NativeSys(), path.join(dir, 'sysfs'));
    const before = selfNetns();
    try {
      for (const bad of ['/etc/hostname', path.join(dir, 'missing')]) {
        assert.throws(() => host.stageSysfs('k8s.io', 'pod2', bad), (e: ShimError) => e.code === Code.FailedPrecondition && e.message.includes(bad));
        assert.is(selfNetns(), before);
        assert.not.ok(host.staged('k8s.io', 'pod2'));
        assert.equal(fs.readdirSync(path.join(dir, 'sysfs')), []);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
