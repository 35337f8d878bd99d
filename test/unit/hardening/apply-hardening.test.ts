/**
 * The policy over whole specs: containerd's real default, a CRI-like pod container,
 * privileged and host-namespace requests, the user namespace grant, exec processes,
 * and the properties (deterministic, input untouched) over every row.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code } from '../../../src/errors';
import {
  applyHardening,
  defaultSeccompProfile,
  hardenExecProcess,
  type Decision,
  type HardeningContext,
  type HardeningPolicy,
  type OciSpec,
} from '../../../src/hardening';
import { context, criPodContainer, fixture, grant, podContext, policy, refusal } from './helpers';

const defaultCaps = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_KILL'];

function has(decisions: Decision[], action: Decision['action'], what: string | RegExp): boolean {
  return decisions.some((d) => d.action === action && (typeof what === 'string' ? d.what === what : what.test(d.what)));
}

test('ctr default spec: small capability set, seccomp, cgroup and user namespaces, limits, masks', () => {
  const { spec, decisions } = applyHardening(fixture('ctr-default'), policy(), context);
  const caps = spec.process!.capabilities!;
  for (const set of ['bounding', 'effective', 'permitted'] as const) assert.equal(caps[set], defaultCaps, set);
  assert.equal(caps.inheritable, []);
  assert.equal(caps.ambient, []);
  assert.is(spec.process!.noNewPrivileges, true);
  assert.equal(spec.linux!.seccomp, defaultSeccompProfile(policy(), new Set(defaultCaps)));
  assert.equal(spec.linux!.namespaces, [
    { type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }, { type: 'cgroup' }, { type: 'user' },
  ]);
  assert.equal(spec.linux!.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  assert.equal(spec.linux!.gidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }]);
  assert.is(spec.linux!.resources!.pids!.limit, 1024);
  assert.is(spec.linux!.resources!.memory!.limit, 1024 * 1024 * 1024);
  assert.equal(spec.linux!.resources!.cpu, { shares: 1024 }, 'other resources pass through');
  for (const p of ['/proc/kcore', '/proc/sysrq-trigger', '/proc/sys/kernel/core_pattern', '/sys/firmware']) {
    assert.ok(spec.linux!.maskedPaths!.includes(p), p);
  }
  assert.ok(spec.linux!.readonlyPaths!.includes('/proc/sys'));
  assert.equal(spec.process!.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }]);
  assert.equal(spec.root, fixture('ctr-default').root, 'what the policy does not judge passes through');
  assert.equal(spec.process!.args, ['sleep', '300']);

  assert.ok(has(decisions, 'removed', 'CAP_NET_RAW'));
  assert.ok(has(decisions, 'removed', 'CAP_MKNOD'));
  assert.ok(has(decisions, 'added', 'seccomp profile'));
  assert.ok(has(decisions, 'added', 'cgroup namespace'));
  assert.ok(has(decisions, 'added', 'user namespace mappings'));
  assert.ok(has(decisions, 'removed', 'device cgroup allow rules'), 'the stock /dev/console rule goes');
  assert.not.ok(decisions.some((d) => d.action === 'refused'));
});

test('CRI pod container: joins its pod\'s namespaces and user namespace, keeps CRI\'s binds', () => {
  const { spec, decisions } = applyHardening(criPodContainer(), policy(), podContext);
  assert.equal(spec.linux!.namespaces, [
    { type: 'pid' },
    { type: 'ipc', path: '/proc/4242/ns/ipc' },
    { type: 'uts', path: '/proc/4242/ns/uts' },
    { type: 'mount' },
    { type: 'network', path: '/var/run/netns/cni-0b3c' },
    { type: 'cgroup' },
    { type: 'user', path: '/proc/4242/ns/user' },
  ]);
  assert.equal(spec.linux!.uidMappings, grant().uidMappings, 'runc 1.1 needs the mappings even when joining');
  assert.equal(spec.mounts!.slice(-3), criPodContainer().mounts!.slice(-3), 'cgroup (ro) and containerd-state binds pass');
  assert.is(spec.linux!.resources!.memory!.limit, 256 * 1024 * 1024);
  assert.is(spec.linux!.resources!.pids!.limit, 200);
  assert.not.ok(decisions.some((d) => d.action === 'refused' || d.action === 'allowed-by-opt-in'));
});

const hostNamespaceRows: Array<[string, (s: OciSpec) => void, RegExp]> = [
  ['joins another pod\'s network namespace', (s) => (s.linux!.namespaces![4] = { type: 'network', path: '/proc/1/ns/net' }), /network namespace \/proc\/1\/ns\/net/],
  ['leaves the network namespace out (ctr --net-host)', (s) => s.linux!.namespaces!.splice(4, 1), /host network namespace/],
  ['leaves the pid namespace out (hostPID)', (s) => s.linux!.namespaces!.splice(0, 1), /host pid namespace/],
  ['joins the host\'s cgroup namespace by path', (s) => s.linux!.namespaces!.push({ type: 'cgroup', path: '/proc/1/ns/cgroup' }), /cgroup namespace \/proc\/1\/ns\/cgroup/],
];

for (const [name, edit, message] of hostNamespaceRows) {
  test(`host namespace request refused: ${name}`, () => {
    const spec = criPodContainer();
    edit(spec);
    const err = refusal(spec, policy(), podContext);
    assert.is(err.code, Code.InvalidArgument);
    assert.match(err.message, message);
    assert.match(err.message, /hardening\.allow_privileged = true/);
  });
  test(`host namespace request let through with the opt-in: ${name}`, () => {
    const spec = criPodContainer();
    edit(spec);
    const { decisions } = applyHardening(spec, policy({ allowPrivileged: true }), podContext);
    assert.ok(decisions.some((d) => d.action === 'allowed-by-opt-in' && message.test(d.what)), JSON.stringify(decisions));
  });
}

test('ctr --privileged: refused with every reason and the opt-in key', () => {
  const err = refusal(fixture('ctr-privileged'), policy());
  assert.is(err.code, Code.InvalidArgument);
  assert.match(err.message, /^hardening policy refused container c1: /);
  assert.match(err.message, /CAP_SYS_ADMIN/);
  assert.match(err.message, /forbidden capability/);
  assert.match(err.message, /host device \/dev\//);
  assert.match(err.message, /set(ting)? hardening\.allow_privileged = true/);
  const decisions = (err as unknown as { decisions: Decision[] }).decisions;
  assert.ok(decisions.filter((d) => d.action === 'refused').length > 100, 'the audit record has every item');
});

test('ctr --privileged with the opt-in: all capabilities, host devices, unconfined, host user namespace', () => {
  const requested = fixture('ctr-privileged');
  const { spec, decisions } = applyHardening(requested, policy({ allowPrivileged: true }), context);
  assert.equal(spec.process!.capabilities!.bounding, requested.process!.capabilities!.bounding);
  assert.is(spec.linux!.seccomp, undefined);
  assert.not.ok(spec.linux!.namespaces!.some((n) => n.type === 'user'));
  assert.is(spec.linux!.uidMappings, undefined);
  assert.is(spec.linux!.devices!.length, requested.linux!.devices!.length);
  assert.ok(spec.linux!.resources!.devices!.some((r) => r.allow && r.major === 10 && r.minor === 229), '/dev/fuse reachable');
  for (const what of ['CAP_SYS_ADMIN', 'CAP_NET_RAW', 'unconfined seccomp', 'host user namespace']) {
    assert.ok(has(decisions, 'allowed-by-opt-in', what), what);
  }
  assert.ok(has(decisions, 'allowed-by-opt-in', /^host device \/dev\/fuse/));
  assert.ok(spec.mounts!.find((m) => m.type === 'sysfs')!.options!.includes('ro'), 'the rest of the policy still applies');
  assert.is(spec.process!.noNewPrivileges, true);
});

test('one added capability: a forbidden one is refused, an allowed_capabilities one kept', () => {
  const spec = fixture('ctr-default');
  spec.process!.capabilities!.bounding!.push('CAP_SYS_PTRACE');
  assert.match(refusal(spec, policy()).message, /CAP_SYS_PTRACE: forbidden capability/);

  const chroot = fixture('ctr-default');
  const result = applyHardening(chroot, policy({ allowedCapabilities: ['CAP_SYS_CHROOT'] }), context);
  assert.ok(result.spec.process!.capabilities!.bounding!.includes('CAP_SYS_CHROOT'));
  assert.ok(result.spec.linux!.seccomp!.syscalls![0].names.includes('chroot'), 'the chroot syscall comes with the capability');

  const nice = fixture('ctr-default');
  nice.process!.capabilities!.effective!.push('CAP_SYS_NICE');
  assert.match(refusal(nice, policy()).message, /CAP_SYS_NICE: capability beyond the partition's set \(hardening\.allowed_capabilities\)/);
});

test('ambient and inheritable capabilities are emptied and recorded', () => {
  const spec = fixture('ctr-default');
  spec.process!.capabilities!.inheritable = ['CAP_CHOWN'];
  spec.process!.capabilities!.ambient = ['CAP_CHOWN'];
  const { spec: out, decisions } = applyHardening(spec, policy(), context);
  assert.equal(out.process!.capabilities!.inheritable, []);
  assert.equal(out.process!.capabilities!.ambient, []);
  assert.ok(has(decisions, 'removed', 'ambient capabilities'));
  assert.ok(has(decisions, 'removed', 'inheritable capabilities'));
});

test('noNewPrivileges is forced on', () => {
  const spec = fixture('ctr-default');
  spec.process!.noNewPrivileges = false;
  const { spec: out, decisions } = applyHardening(spec, policy(), context);
  assert.is(out.process!.noNewPrivileges, true);
  assert.ok(has(decisions, 'changed', 'noNewPrivileges'));
});

test('a working directory in /proc is refused (CVE-2024-21626), and no opt-in is offered', () => {
  for (const cwd of ['/proc/self/fd/7', '/proc/../proc/1/fd/8', '/proc']) {
    const spec = fixture('ctr-default');
    spec.process!.cwd = cwd;
    const err = refusal(spec, policy({ allowPrivileged: true }));
    assert.match(err.message, /CVE-2024-21626/);
    assert.not.match(err.message, /allow_privileged/);
  }
});

test('hooks run on the host: refused, or kept with the opt-in', () => {
  const spec = fixture('ctr-default');
  spec.hooks = { createRuntime: [{ path: '/usr/bin/evil' }], poststop: [] };
  assert.match(refusal(spec, policy()).message, /hooks \(createRuntime\): hooks run on the host as root/);
  assert.equal(applyHardening(spec, policy({ allowPrivileged: true }), context).spec.hooks, spec.hooks);
});

test('user namespace: none allocated is FailedPrecondition, unless the partition does without', () => {
  const noGrant: HardeningContext = { containerId: 'c1', podId: 'p9' };
  const err = refusal(fixture('ctr-default'), policy(), noGrant);
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /no user-namespace range was allocated for pod p9/);
  const { spec } = applyHardening(fixture('ctr-default'), policy({ requireUserNamespace: false }), noGrant);
  assert.not.ok(spec.linux!.namespaces!.some((n) => n.type === 'user'));
});

test('user namespace: a grant mapping onto host root is refused as an allocator bug', () => {
  const bad: HardeningContext = { containerId: 'c1', userNamespace: grant(0) };
  const err = refusal(fixture('ctr-default'), policy(), bad);
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /maps uid 0 onto host uid 0/);
});

test('user namespace: the request\'s own mappings (hostUsers: false) give way to the grant', () => {
  const spec = fixture('ctr-default');
  spec.linux!.namespaces!.push({ type: 'user' });
  spec.linux!.uidMappings = [{ containerID: 0, hostID: 0, size: 65536 }];
  spec.linux!.gidMappings = [{ containerID: 0, hostID: 0, size: 65536 }];
  const { spec: out, decisions } = applyHardening(spec, policy(), context);
  assert.equal(out.linux!.uidMappings, grant().uidMappings);
  assert.equal(out.linux!.namespaces!.filter((n) => n.type === 'user'), [{ type: 'user' }]);
  assert.ok(has(decisions, 'changed', 'user namespace mappings'));
});

test('exec process: the same capability, rlimit and noNewPrivileges rules', () => {
  const process = { ...fixture('ctr-default').process!, noNewPrivileges: false };
  const { spec, decisions } = hardenExecProcess(process, policy(), { containerId: 'c1', execId: 'e1' });
  assert.equal(spec.capabilities!.bounding, defaultCaps);
  assert.is(spec.noNewPrivileges, true);
  assert.ok(has(decisions, 'removed', 'CAP_NET_RAW'));
  const admin = { ...process, capabilities: { bounding: ['CAP_SYS_ADMIN'], effective: ['CAP_SYS_ADMIN'] } };
  assert.throws(() => hardenExecProcess(admin, policy(), { containerId: 'c1', execId: 'e2' }), /refused container c1 \(exec e2\): CAP_SYS_ADMIN/);
});

// Properties over every spec the tests use.
const rows: Array<[string, OciSpec, HardeningPolicy, HardeningContext]> = [
  ['ctr default', fixture('ctr-default'), policy(), context],
  ['ctr --seccomp', fixture('ctr-seccomp'), policy(), context],
  ['ctr --privileged, opted in', fixture('ctr-privileged'), policy({ allowPrivileged: true }), context],
  ['ctr --privileged, refused', fixture('ctr-privileged'), policy(), context],
  ['CRI pod container', criPodContainer(), policy(), podContext],
  ['no user namespace', fixture('ctr-default'), policy({ requireUserNamespace: false }), { containerId: 'c1' }],
];

function outcome(spec: OciSpec, p: HardeningPolicy, ctx: HardeningContext): unknown {
  try {
    return applyHardening(spec, p, ctx);
  } catch (err) {
    return { error: (err as Error).message, decisions: (err as { decisions?: unknown }).decisions };
  }
}

for (const [name, spec, p, ctx] of rows) {
  test(`property: deterministic and leaves its input alone (${name})`, () => {
    const before = structuredClone(spec);
    const first = outcome(spec, p, ctx);
    assert.equal(spec, before, 'input untouched');
    assert.equal(outcome(structuredClone(before), p, ctx), first, 'same input, same output');
    if (!('error' in (first as object))) {
      const out = (first as { spec: OciSpec }).spec;
      out.process!.capabilities!.bounding!.push('CAP_X');
      assert.equal(spec, before, 'the output shares nothing with the input');
    }
  });
}

test.run();
