/**
 * hostSideNetwork: what a hardened spec becomes when the pod's network namespace is the host's
 * user namespace's and the shim serves it from the host's side: /sys a read-only bind of the
 * staged sysfs, net.* sysctls out of the spec (for the shim to write), the rest untouched.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyHardening, hostSideNetwork, type OciSpec } from '../../../src/hardening';
import { fixture, podContext, policy } from './helpers';

const staged = '/run/metassembly/sysfs/k8s.io/pod1/sys';

/** ctr's default spec, hardened as an app container of a pod, with the sysctls a CRI pod brings. */
function hardened(sysctl?: Record<string, string>): OciSpec {
  const spec = fixture('ctr-default');
  if (sysctl !== undefined) spec.linux!.sysctl = sysctl;
  return applyHardening(spec, policy(), podContext).spec;
}

test('hostSideNetwork: /sys becomes a read-only recursive bind of the staged sysfs, in place', () => {
  const spec = hardened();
  const before = spec.mounts!.findIndex((m) => m.type === 'sysfs');
  assert.ok(before >= 0, 'the fixture mounts a sysfs');
  const out = hostSideNetwork(spec, { stagedSysfs: staged });
  assert.equal(out.spec.mounts![before], { destination: '/sys', type: 'bind', source: staged, options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'] });
  assert.equal(out.spec.mounts!.filter((_, i) => i !== before), spec.mounts!.filter((_, i) => i !== before), 'every other mount as it was');
  assert.equal(out.spec.linux!.maskedPaths, spec.linux!.maskedPaths, 'the masked paths still apply over it');
  assert.ok(out.spec.linux!.maskedPaths!.includes('/sys/firmware'));
  assert.equal(out.spec.linux!.readonlyPaths, spec.linux!.readonlyPaths);
  assert.equal(out.sysctls, {});
  assert.equal(out.decisions, [
    {
      what: 'sysfs at /sys',
      action: 'changed',
      why: `the pod's network namespace is the host's user namespace's: /sys is a read-only bind of its sysfs, mounted by the shim (${staged})`,
      path: `mounts[${before}]`,
    },
  ]);
  assert.is(spec.mounts![before].type, 'sysfs', 'the input is not modified');
});

test('hostSideNetwork: net.* sysctls leave the spec for the shim to write; ipc ones stay for the runtime', () => {
  const spec = hardened({ 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647', 'kernel.shm_rmid_forced': '1' });
  assert.equal(Object.keys(spec.linux!.sysctl!).sort(), ['kernel.shm_rmid_forced', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ping_group_range']);
  const out = hostSideNetwork(spec, { stagedSysfs: staged });
  assert.equal(out.sysctls, { 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' });
  assert.equal(out.spec.linux!.sysctl, { 'kernel.shm_rmid_forced': '1' });
  const sysctlDecisions = out.decisions.filter((d) => d.path === 'linux.sysctl');
  assert.equal(sysctlDecisions.map((d) => [d.what, d.action]), [
    ['sysctl net.ipv4.ip_unprivileged_port_start', 'changed'],
    ['sysctl net.ipv4.ping_group_range', 'changed'],
  ]);
  assert.match(sysctlDecisions[0].why, /written into the pod's network namespace by the shim before create.*EACCES/);
});

test('hostSideNetwork: only net.* sysctls leave no sysctl object behind; none at all stays none', () => {
  const only = hostSideNetwork(hardened({ 'net.ipv4.tcp_syncookies': '1' }), { stagedSysfs: staged });
  assert.is(only.spec.linux!.sysctl, undefined);
  assert.equal(only.sysctls, { 'net.ipv4.tcp_syncookies': '1' });
  const none = hostSideNetwork(hardened(), { stagedSysfs: staged });
  assert.not.ok('sysctl' in none.spec.linux!);
});

test('hostSideNetwork: a sysfs elsewhere than /sys (refused by the hardening unless opted in) is left alone', () => {
  const spec = hardened();
  spec.mounts = [...spec.mounts!, { destination: '/host-sys', type: 'sysfs', source: 'sysfs', options: ['ro'] }];
  const out = hostSideNetwork(spec, { stagedSysfs: staged });
  assert.equal(out.spec.mounts!.at(-1), { destination: '/host-sys', type: 'sysfs', source: 'sysfs', options: ['ro'] });
  assert.is(out.spec.mounts!.filter((m) => m.source === staged).length, 1);
});

test.run();
