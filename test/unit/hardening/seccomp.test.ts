/**
 * The seccomp profile as data (real syscall names, nothing always-denied allowed) and
 * the rewriting of requested profiles.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyHardening, defaultSeccompProfile, type OciSpec } from '../../../src/hardening';
import type { OciSeccomp, OciSyscallRule } from '../../../src/hardening/oci-spec';
import { allowedSyscalls, alwaysDeniedSyscalls, argumentRules } from '../../../src/hardening/seccomp-profile';
import { context, fixture, policy, refusal } from './helpers';
import { x86_64Syscalls } from './x86-64-syscalls';

const permissive = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY', 'SCMP_ACT_TRACE']);

/** Every name some permissive rule lets through unconditionally or under arguments. */
function permitted(profile: OciSeccomp): Set<string> {
  return new Set((profile.syscalls ?? []).filter((r) => permissive.has(r.action)).flatMap((r) => r.names));
}

function withSeccomp(seccomp: OciSeccomp): OciSpec {
  const spec = fixture('ctr-default');
  spec.linux!.seccomp = seccomp;
  return spec;
}

function run(seccomp: OciSeccomp): { profile: OciSeccomp; decisions: ReturnType<typeof applyHardening>['decisions'] } {
  const { spec, decisions } = applyHardening(withSeccomp(seccomp), policy(), context);
  return { profile: spec.linux!.seccomp!, decisions };
}

test('default profile: every name is in the x86_64 table, valid JSON, allowlist with errno default', () => {
  const profile = defaultSeccompProfile(policy({ allowPtrace: true }), new Set(['CAP_SYS_CHROOT']));
  const names = profile.syscalls!.flatMap((r) => r.names);
  const unknown = names.filter((n) => !x86_64Syscalls.has(n));
  assert.equal(unknown, [], 'runc would silently skip these');
  assert.equal(JSON.parse(JSON.stringify(profile)), profile);
  assert.is(profile.defaultAction, 'SCMP_ACT_ERRNO');
  assert.is(profile.defaultErrnoRet, 1);
  assert.equal(profile.architectures, ['SCMP_ARCH_X86_64']);
  assert.ok(names.includes('ptrace') && names.includes('chroot'));
  assert.equal(new Set(allowedSyscalls).size, allowedSyscalls.length, 'no duplicates');
});

test('default profile: nothing always-denied is allowed; ptrace and chroot only when granted', () => {
  const profile = defaultSeccompProfile(policy(), new Set());
  const allowed = permitted(profile);
  assert.equal([...alwaysDeniedSyscalls].filter((n) => allowed.has(n)), []);
  for (const n of ['ptrace', 'chroot', 'process_vm_writev', 'kcmp']) assert.not.ok(allowed.has(n), n);
  for (const n of ['read', 'openat', 'execve', 'socket', 'mknod', 'wait4', 'rseq', 'futex']) assert.ok(allowed.has(n), n);
  assert.equal(defaultSeccompProfile(policy({ arch: 'aarch64' }), new Set()).architectures, ['SCMP_ARCH_AARCH64']);
});

test('default profile: clone only without namespace flags, clone3 ENOSYS, personality safe values', () => {
  const rules = defaultSeccompProfile(policy(), new Set()).syscalls!;
  const clone = rules.filter((r) => r.names.includes('clone'));
  assert.equal(clone, [{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }]);
  assert.equal(rules.filter((r) => r.names.includes('clone3')), [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
  const personality = rules.filter((r) => r.names.includes('personality')).map((r) => r.args![0].value);
  assert.equal(personality, [0, 8, 0x20000, 0x20008, 0xffffffff]);
  assert.ok(rules.filter((r) => r.names.includes('personality')).every((r) => r.args![0].op === 'SCMP_CMP_EQ'));
});

test('containerd\'s own profile (ctr --seccomp) is kept but rewritten', () => {
  const requested = fixture('ctr-seccomp').linux!.seccomp!;
  const { profile, decisions } = run(requested);
  assert.equal(profile.architectures, ['SCMP_ARCH_X86_64']);
  const allowed = permitted(profile);
  for (const n of ['io_uring_setup', 'io_uring_enter', 'io_uring_register', 'adjtimex', 'clock_adjtime']) assert.not.ok(allowed.has(n), n);
  assert.ok(allowed.has('chown32'), 'names we do not judge stay');
  assert.ok(allowed.has('ptrace'), 'a requested profile may allow what ours leaves out but never forbids');
  const ours = argumentRules();
  assert.equal(profile.syscalls!.filter((r) => r.names.includes('clone')), ours.filter((r) => r.names[0] === 'clone'));
  assert.equal(profile.syscalls!.filter((r) => r.names.includes('personality')), ours.filter((r) => r.names[0] === 'personality'));
  assert.equal(profile.syscalls!.filter((r) => r.names.includes('clone3')), [{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }], 'its own clone3 rule stays, once');
  assert.ok(decisions.some((d) => d.what === 'adjtimex, clock_adjtime, clock_adjtime64, io_uring_enter, io_uring_register, io_uring_setup' && d.action === 'removed'));
  assert.ok(decisions.some((d) => d.what === 'seccomp architectures' && d.action === 'changed'));
});

const weaker: Array<[string, OciSeccomp]> = [
  ['allow by default (a denylist)', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }] }],
  ['log by default', { defaultAction: 'SCMP_ACT_LOG' }],
];
for (const [name, seccomp] of weaker) {
  test(`a weaker requested profile is replaced by ours: ${name}`, () => {
    const { profile, decisions } = run(seccomp);
    assert.equal(profile, defaultSeccompProfile(policy(), new Set(['CAP_CHOWN'])));
    assert.ok(decisions.some((d) => d.what === 'seccomp profile' && d.action === 'changed'));
  });
}

test('a requested allowlist that permits denied calls: removed from allow rules, clone ruled, clone3 added', () => {
  const rules: OciSyscallRule[] = [
    { names: ['read', 'write', 'keyctl', 'clone', 'unshare', 'bpf'], action: 'SCMP_ACT_ALLOW' },
    { names: ['setns'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 0x40000000, op: 'SCMP_CMP_EQ' }] },
    { names: ['mount', 'perf_event_open'], action: 'SCMP_ACT_LOG' },
    { names: ['uname'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  ];
  const { profile, decisions } = run({ defaultAction: 'SCMP_ACT_KILL_PROCESS', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], syscalls: rules });
  assert.is(profile.defaultAction, 'SCMP_ACT_KILL_PROCESS', 'a strict default stays');
  assert.equal(profile.architectures, ['SCMP_ARCH_X86_64']);
  assert.equal(profile.syscalls, [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['uname'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ...argumentRules().filter((r) => r.names[0] === 'clone' || r.names[0] === 'clone3'),
  ]);
  assert.ok(decisions.some((d) => d.action === 'removed' && d.what === 'bpf, keyctl, mount, perf_event_open, setns, unshare'));
});

test('a requested profile that denies clone keeps its denial', () => {
  const { profile } = run({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['clone'], action: 'SCMP_ACT_KILL' }] });
  assert.equal(profile.syscalls, [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['clone'], action: 'SCMP_ACT_KILL' }]);
});

test('SPEC_ALLOW is dropped; a host listener is a privileged request', () => {
  const { profile } = run({ defaultAction: 'SCMP_ACT_ERRNO', flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'], syscalls: [] });
  assert.equal(profile.flags, ['SECCOMP_FILTER_FLAG_LOG']);
  const listener = withSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', listenerPath: '/run/agent.sock', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] });
  assert.match(refusal(listener, policy()).message, /seccomp listenerPath: hands syscall decisions to a host agent at \/run\/agent\.sock/);
  const kept = applyHardening(listener, policy({ allowPrivileged: true }), context).spec.linux!.seccomp!;
  assert.is(kept.listenerPath, '/run/agent.sock');
});

test('no profile and SYS_ADMIN without the opt-in: refused, never unconfined', () => {
  const spec = fixture('ctr-default');
  spec.process!.capabilities!.bounding!.push('CAP_SYS_ADMIN');
  assert.match(refusal(spec, policy()).message, /CAP_SYS_ADMIN: forbidden capability/);
});

test.run();
