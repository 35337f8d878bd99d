/**
 * sandboxSpec for a pod in a network namespace the host's user namespace owns (CRI's CNI
 * netns): with a runtime that joins namespaces before the user namespace, the sandbox keeps a
 * new one on the pod's range, its sysfs is staged and its net.* sysctls written from the host's
 * side, and its app containers join it and bind the same sysfs; with runc 1.1 nothing changes.
 * The pod network and the ranges are recording fakes; the namespace files are real files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultConfig } from '../../../src/config/config';
import { FailedPreconditionError } from '../../../src/errors';
import { HardeningRefusedError } from '../../../src/hardening';
import type { PodNetworkHost } from '../../../src/task/pod-network-host';
import { sandboxSpec, type AuditRecord, type IdRange, type SandboxingDeps } from '../../../src/task/sandboxing';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-host-network-'));
// Any file that is not this process's network namespace stands for CNI's netns file.
const cniNetns = path.join(dir, 'cni-netns');
fs.writeFileSync(cniNetns, '');
const range: IdRange = { uidMappings: [{ containerID: 0, hostID: 2 ** 30, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 2 ** 30, size: 65536 }] };

interface World {
  deps: SandboxingDeps;
  calls: string[];
  audit: AuditRecord[];
  staged: Set<string>;
}

function world(options: { joinsFirst?: boolean; podNetwork?: boolean; failStage?: boolean } = {}): World {
  const calls: string[] = [];
  const audit: AuditRecord[] = [];
  const staged = new Set<string>();
  const podNetwork: PodNetworkHost = {
    sysfsPath: (ns, pod) => `/staged/${ns}/${pod}/sys`,
    staged: (ns, pod) => staged.has(`${ns}/${pod}`),
    stageSysfs: (ns, pod, netns) => {
      calls.push(`stage ${ns}/${pod} ${netns}`);
      if (options.failStage) throw new FailedPreconditionError('mount failed');
      staged.add(`${ns}/${pod}`);
    },
    writeSysctls: (netns, sysctls) => void calls.push(`sysctls ${netns} ${JSON.stringify(sysctls)}`),
    release: (ns, pod) => void calls.push(`release ${ns}/${pod}`),
  };
  return {
    calls,
    audit,
    staged,
    deps: {
      ranges: () => ({
        allocate: async (pod) => (calls.push(`allocate ${pod}`), range),
        hold: async () => undefined,
        release: async (pod) => void calls.push(`release-range ${pod}`),
      }),
      audit: (_config, records) => void audit.push(...records),
      runtimeJoinsFirst: async (binary) => (calls.push(`probe ${binary}`), options.joinsFirst ?? true),
      podNetwork: options.podNetwork === false ? undefined : podNetwork,
    },
  };
}

const pauseAnnotations = { 'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-id': 'pod1' };
const appAnnotations = { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': 'pod1' };
const sysfsMount = { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] };

/** A CRI pause as containerd 2.x writes it: the CNI netns by path, ip_unprivileged_port_start set. */
function pause(): object {
  return {
    ociVersion: '1.2.1',
    annotations: pauseAnnotations,
    process: { args: ['/pause'], cwd: '/', user: { uid: 65535, gid: 65535 } },
    root: { path: 'rootfs', readonly: true },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, sysfsMount],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: cniNetns }],
      sysctl: { 'net.ipv4.ip_unprivileged_port_start': '0' },
    },
  };
}

/** An app container of the pod: the CNI netns and the pause's ipc and uts. */
function app(pid: number): object {
  return {
    ociVersion: '1.2.1',
    annotations: appAnnotations,
    process: { args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 } },
    root: { path: 'rootfs' },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, sysfsMount],
    linux: {
      namespaces: [
        { type: 'pid' },
        { type: 'ipc', path: `/proc/${pid}/ns/ipc` },
        { type: 'uts', path: `/proc/${pid}/ns/uts` },
        { type: 'mount' },
        { type: 'network', path: `/proc/${pid}/ns/net` },
      ],
    },
  };
}

/** The shim config with the operator's opt-in to the host's user namespace for pods the runtime cannot give one. */
function hostUsernsOptIn() {
  const config = defaultConfig();
  config.hardening.allowHostUserNamespace = true;
  return config;
}

function input(id: string, requested: object, sandboxPid?: number, inUserns = true, config = defaultConfig()) {
  return {
    namespace: 'k8s.io',
    id,
    bundle: `/run/b/${id}`,
    requested: requested as never,
    config,
    sandboxPid: () => sandboxPid,
    sandboxInUserNamespace: () => inUserns,
  };
}

type Linux = { namespaces: Array<{ type: string; path?: string }>; sysctl?: Record<string, string> };
const linuxOf = (spec: object): Linux => (spec as { linux: Linux }).linux;
const sysOf = (spec: object) => (spec as { mounts: Array<{ destination: string; type: string; source: string; options: string[] }> }).mounts.find((m) => m.destination === '/sys');

test('a runtime that joins first: the pause keeps a new user namespace, its network is served from the host\'s side', async () => {
  const w = world();
  const out = await sandboxSpec(w.deps, input('pod1', pause()));
  assert.ok(out.idmap, 'the pause runs on the pod range');
  assert.equal(linuxOf(out.spec).namespaces.find((ns) => ns.type === 'user'), { type: 'user' });
  assert.equal(linuxOf(out.spec).namespaces.find((ns) => ns.type === 'network'), { type: 'network', path: cniNetns });
  assert.equal(sysOf(out.spec), { destination: '/sys', type: 'bind', source: '/staged/k8s.io/pod1/sys', options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'] });
  assert.is(linuxOf(out.spec).sysctl, undefined, 'net.* sysctls left the spec');
  assert.equal(w.calls, [
    `probe ${defaultConfig().runtime.binary}`,
    'allocate k8s.io/pod1',
    `stage k8s.io/pod1 ${cniNetns}`,
    `sysctls ${cniNetns} {"net.ipv4.ip_unprivileged_port_start":"0"}`,
  ]);
  assert.ok(w.audit.some((r) => r.what === 'sysfs at /sys' && r.action === 'changed' && r.pod === 'pod1'));
  assert.ok(w.audit.some((r) => r.what === 'sysctl net.ipv4.ip_unprivileged_port_start' && r.action === 'changed'));
  assert.not.ok(w.audit.some((r) => r.what === 'user namespace' && r.action === 'removed'));
});

test('its app containers join the pause\'s user namespace and bind the same staged sysfs', async () => {
  const w = world();
  await sandboxSpec(w.deps, input('pod1', pause()));
  w.calls.length = 0;
  const out = await sandboxSpec(w.deps, input('c1', app(process.pid), process.pid));
  assert.equal(linuxOf(out.spec).namespaces.find((ns) => ns.type === 'user'), { type: 'user', path: `/proc/${process.pid}/ns/user` });
  assert.equal(sysOf(out.spec)?.source, '/staged/k8s.io/pod1/sys');
  assert.equal(w.calls, [`probe ${defaultConfig().runtime.binary}`, 'allocate k8s.io/pod1'], 'staged once, by the pause; no sysctls to write');
});

test('runc 1.1 (joins the user namespace first): the pause is refused, naming the runtime it needs and the opt-in', async () => {
  const w = world({ joinsFirst: false });
  const err = await sandboxSpec(w.deps, input('pod1', pause())).then(() => undefined, (e: Error) => e);
  assert.instance(err, HardeningRefusedError);
  assert.match(err!.message, /runc < 1\.2.*runc >= 1\.2 or crun.*hardening\.allow_host_user_namespace = true/);
  assert.equal(w.calls, [`probe ${defaultConfig().runtime.binary}`], 'nothing allocated or staged');
  assert.ok(w.audit.some((r) => r.what === 'user namespace' && r.action === 'refused'));
});

test('runc 1.1 with the operator\'s opt-in: the pause runs in the host\'s user namespace and says why', async () => {
  const w = world({ joinsFirst: false });
  const out = await sandboxSpec(w.deps, input('pod1', pause(), undefined, true, hostUsernsOptIn()));
  assert.is(out.idmap, undefined);
  assert.not.ok(linuxOf(out.spec).namespaces.some((ns) => ns.type === 'user'));
  assert.equal(sysOf(out.spec), sysfsMount);
  assert.equal(linuxOf(out.spec).sysctl, { 'net.ipv4.ip_unprivileged_port_start': '0' });
  assert.equal(w.calls, [`probe ${defaultConfig().runtime.binary}`]);
  const withheld = w.audit.find((r) => r.what === 'user namespace' && r.action === 'removed');
  assert.match(withheld?.why ?? '', /runc < 1\.2.*runs in the host's/);
});

test('without the pod network port nothing is probed and nothing changes', async () => {
  const w = world({ podNetwork: false });
  const out = await sandboxSpec(w.deps, input('pod1', pause(), undefined, true, hostUsernsOptIn()));
  assert.is(out.idmap, undefined);
  assert.equal(w.calls, []);
});

test('a container that joins no network namespace is never probed for', async () => {
  const w = world();
  const own = pause() as { linux: Linux };
  own.linux.namespaces = own.linux.namespaces.map((ns) => (ns.type === 'network' ? { type: 'network' } : ns));
  const out = await sandboxSpec(w.deps, input('pod1', own));
  assert.ok(out.idmap);
  assert.equal(sysOf(out.spec), sysfsMount, 'its own network namespace: its own sysfs');
  assert.equal(w.calls, ['allocate k8s.io/pod1']);
});

test('staging fails: the pod\'s range and staging are released, the error is the caller\'s', async () => {
  const w = world({ failStage: true });
  const err = await sandboxSpec(w.deps, input('pod1', pause())).then(() => undefined, (e: Error) => e);
  assert.instance(err, FailedPreconditionError);
  assert.equal(w.calls.slice(1), ['allocate k8s.io/pod1', `stage k8s.io/pod1 ${cniNetns}`, 'release k8s.io/pod1', 'release-range k8s.io/pod1']);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
