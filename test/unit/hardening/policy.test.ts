import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError } from '../../../src/errors';
import { defaultHardeningPolicy, validateHardeningPolicy, type HardeningPolicy } from '../../../src/hardening';
import { limits, policy } from './helpers';

test('the default policy is valid and strict', () => {
  const p = defaultHardeningPolicy();
  validateHardeningPolicy(p);
  assert.is(p.allowPrivileged, false);
  assert.is(p.requireUserNamespace, true);
  assert.is(p.allowPtrace, false);
  assert.is(p.arch, 'x86_64');
  assert.is(defaultHardeningPolicy('aarch64').arch, 'aarch64');
});

const bad: Array<[string, HardeningPolicy, RegExp]> = [
  ['a forbidden capability in allowed_capabilities', policy({ allowedCapabilities: ['CAP_SYS_ADMIN'] }), /hardening\.allowed_capabilities: CAP_SYS_ADMIN is never granted by this list; only hardening\.allow_privileged/],
  ['an unknown capability', policy({ allowedCapabilities: ['SYS_NICE'] }), /hardening\.allowed_capabilities: unknown capability "SYS_NICE"/],
  ['a host-wide sysctl', policy({ allowedSysctls: ['vm.swappiness'] }), /hardening\.allowed_sysctls: "vm\.swappiness" is not a namespaced sysctl/],
  ['a host-wide sysctl pattern', policy({ allowedSysctls: ['kernel.*'] }), /hardening\.allowed_sysctls: "kernel\.\*"/],
  ['an unknown arch', policy({ arch: 'riscv64' as never }), /hardening\.arch: must be x86_64 or aarch64/],
  ['a zero pids default', limits({ pidsDefault: 0 }), /hardening\.limits\.pids_default: must be a positive integer/],
  ['a default above the maximum', limits({ memoryDefaultBytes: 10, memoryMaxBytes: 5 }), /hardening\.limits\.memory_default_bytes: exceeds memory_max_bytes/],
  ['a bad over_limit', limits({ overLimit: 'ignore' as never }), /hardening\.over_limit: must be clamp or refuse/],
  ['an unknown rlimit', policy({ rlimits: { RLIMIT_FOO: { soft: 1, hard: 1 } } }), /hardening\.rlimits\.RLIMIT_FOO: unknown rlimit/],
  ['soft above hard', policy({ rlimits: { RLIMIT_NOFILE: { soft: 10, hard: 1 } } }), /hardening\.rlimits\.RLIMIT_NOFILE: must be \[soft, hard\]/],
];

for (const [name, p, message] of bad) {
  test(`invalid policy refused with its key: ${name}`, () => {
    try {
      validateHardeningPolicy(p, 'shim.toml');
    } catch (err) {
      assert.instance(err, InvalidArgumentError);
      assert.match((err as Error).message, /^shim\.toml: /);
      assert.match((err as Error).message, message);
      return;
    }
    assert.unreachable('expected a refusal');
  });
}

test('valid extras pass', () => {
  validateHardeningPolicy(policy({ allowedCapabilities: ['CAP_SYS_CHROOT', 'CAP_SETFCAP'], allowedSysctls: ['kernel.msgmax', 'fs.mqueue.*', 'net.*'] }));
});

test.run();
