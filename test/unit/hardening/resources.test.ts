/**
 * Table tests of the per-field rules: limits, rlimits, /dev/shm, devices, sysctls,
 * mounts and paths. Each row edits containerd's default spec and states the outcome.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code } from '../../../src/errors';
import { applyHardening, type HardeningContext, type HardeningPolicy, type OciSpec } from '../../../src/hardening';
import { context, criPodContainer, fixture, limits, podContext, policy, refusal } from './helpers';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

interface Row {
  name: string;
  edit: (spec: OciSpec) => void;
  policy?: HardeningPolicy;
  context?: HardeningContext;
  /** checks the hardened spec */
  expect?: (spec: OciSpec) => void;
  /** or the refusal's message */
  refused?: RegExp;
  /** and a decision (action, what) */
  decision?: [string, string | RegExp];
}

const shm = (s: OciSpec) => s.mounts!.find((m) => m.destination === '/dev/shm')!;
const rlimit = (s: OciSpec, type: string) => s.process!.rlimits!.find((r) => r.type === type);

const rows: Row[] = [
  // limits
  { name: 'pids -1 (unlimited) gets the default', edit: (s) => (s.linux!.resources!.pids = { limit: -1 }), expect: (s) => assert.is(s.linux!.resources!.pids!.limit, 1024), decision: ['changed', 'pids limit'] },
  { name: 'pids above the maximum is clamped', edit: (s) => (s.linux!.resources!.pids = { limit: 100000 }), expect: (s) => assert.is(s.linux!.resources!.pids!.limit, 32768), decision: ['changed', 'pids limit'] },
  { name: 'pids above the maximum is refused when the policy says so', edit: (s) => (s.linux!.resources!.pids = { limit: 100000 }), policy: limits({ overLimit: 'refuse' }), refused: /pids limit: 100000 is above the partition's maximum 32768$/ },
  { name: 'memory 0 gets the default', edit: (s) => (s.linux!.resources!.memory = { limit: 0 }), expect: (s) => assert.is(s.linux!.resources!.memory!.limit, GiB) },
  { name: 'memory above a maximum is clamped', edit: (s) => (s.linux!.resources!.memory = { limit: 8 * GiB }), policy: limits({ memoryMaxBytes: 2 * GiB }), expect: (s) => assert.is(s.linux!.resources!.memory!.limit, 2 * GiB) },
  { name: 'memory with no maximum is kept', edit: (s) => (s.linux!.resources!.memory = { limit: 64 * GiB }), expect: (s) => assert.is(s.linux!.resources!.memory!.limit, 64 * GiB) },
  { name: 'memory+swap below the new limit is raised to it', edit: (s) => (s.linux!.resources!.memory = { swap: 100 * MiB }), expect: (s) => assert.equal(s.linux!.resources!.memory, { swap: GiB, limit: GiB }), decision: ['changed', 'memory+swap limit'] },
  // rlimits
  { name: 'RLIMIT_NOFILE above the cap is capped, soft too', edit: (s) => (s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 }]), expect: (s) => assert.equal(rlimit(s, 'RLIMIT_NOFILE'), { type: 'RLIMIT_NOFILE', soft: 65536, hard: 65536 }), decision: ['changed', 'RLIMIT_NOFILE'] },
  { name: 'missing rlimits are added', edit: (s) => delete s.process!.rlimits, expect: (s) => assert.equal(s.process!.rlimits, [{ type: 'RLIMIT_CORE', soft: 0, hard: 0 }, { type: 'RLIMIT_NOFILE', soft: 1024, hard: 65536 }]) },
  { name: 'rlimits the policy does not cap pass', edit: (s) => s.process!.rlimits!.push({ type: 'RLIMIT_STACK', soft: 8 * MiB, hard: 16 * MiB }), expect: (s) => assert.equal(rlimit(s, 'RLIMIT_STACK'), { type: 'RLIMIT_STACK', soft: 8 * MiB, hard: 16 * MiB }) },
  // /dev/shm
  { name: '/dev/shm within the maximum is kept', edit: () => undefined, expect: (s) => assert.ok(shm(s).options!.includes('size=65536k')) },
  { name: '/dev/shm above the maximum is clamped', edit: (s) => (shm(s).options = ['nosuid', 'size=8g']), expect: (s) => assert.equal(shm(s).options, ['nosuid', `size=${GiB}`]) },
  { name: '/dev/shm without a size is sized', edit: (s) => (shm(s).options = ['nosuid', 'nodev']), expect: (s) => assert.equal(shm(s).options, ['nosuid', 'nodev', `size=${64 * MiB}`]), decision: ['added', '/dev/shm size'] },
  // devices
  { name: 'a device node among the allowed ones is kept', edit: (s) => (s.linux!.devices = [{ path: '/dev/null', type: 'c', major: 1, minor: 3 }]), expect: (s) => assert.is(s.linux!.devices!.length, 1) },
  { name: 'a host disk is refused', edit: (s) => (s.linux!.devices = [{ path: '/dev/sda', type: 'b', major: 8, minor: 0 }]), refused: /host device \/dev\/sda \(b 8:0\)/ },
  { name: '/dev/fuse is refused', edit: (s) => (s.linux!.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }]), refused: /host device \/dev\/fuse/ },
  {
    name: 'cgroup rules: extra allows dropped, specific denies kept after the canonical list',
    edit: (s) => s.linux!.resources!.devices!.push({ allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 9, access: 'rwm' }),
    expect: (s) => {
      const rules = s.linux!.resources!.devices!;
      assert.equal(rules[0], { allow: false, access: 'rwm' });
      assert.equal(rules.filter((r) => r.allow).map((r) => `${r.major}:${r.minor ?? '*'}`), ['1:3', '1:5', '1:7', '1:8', '1:9', '5:0', '5:2', '136:*']);
      assert.equal(rules[rules.length - 1], { allow: false, type: 'c', major: 1, minor: 9, access: 'rwm' });
    },
    decision: ['removed', 'device cgroup allow rules'],
  },
  // sysctls
  { name: 'a safe sysctl passes', edit: (s) => (s.linux!.sysctl = { 'kernel.shm_rmid_forced': '1' }), expect: (s) => assert.equal(s.linux!.sysctl, { 'kernel.shm_rmid_forced': '1' }) },
  { name: 'net.* passes in a private network namespace', edit: (s) => (s.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'net.core.somaxconn': '4096' }), expect: (s) => assert.equal(Object.keys(s.linux!.sysctl!), ['net.core.somaxconn', 'net.ipv4.ip_forward']) },
  { name: 'net.* passes in the pod\'s network namespace', edit: (s) => (s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' }), context: podContext, expect: (s) => assert.equal(s.linux!.sysctl, { 'net.ipv4.ip_forward': '1' }) },
  { name: 'a host-wide sysctl is refused', edit: (s) => (s.linux!.sysctl = { 'vm.overcommit_memory': '1', 'kernel.core_pattern': '|/x' }), refused: /sysctl kernel\.core_pattern, sysctl vm\.overcommit_memory: not a namespaced sysctl/ },
  { name: 'an IPC sysctl needs allowed_sysctls', edit: (s) => (s.linux!.sysctl = { 'kernel.msgmax': '65536' }), refused: /sysctl kernel\.msgmax/ },
  { name: 'an IPC sysctl in allowed_sysctls passes', edit: (s) => (s.linux!.sysctl = { 'kernel.msgmax': '65536', 'fs.mqueue.msg_max': '20' }), policy: policy({ allowedSysctls: ['kernel.msgmax', 'fs.mqueue.*'] }), expect: (s) => assert.equal(Object.keys(s.linux!.sysctl!).length, 2) },
  // mounts and paths
  { name: 'a second procfs is refused', edit: (s) => s.mounts!.push({ destination: '/host-proc', type: 'proc', source: 'proc' }), refused: /procfs at \/host-proc/ },
  { name: 'a bind of the docker socket is refused', edit: (s) => s.mounts!.push({ destination: '/d.sock', type: 'bind', source: '/var/run/docker.sock', options: ['rbind'] }), refused: /bind mount of host \/var\/run\/docker\.sock/ },
  { name: 'a bind of /proc by a roundabout path is refused', edit: (s) => s.mounts!.push({ destination: '/x', source: '/etc/../proc/1/root', options: ['rbind', 'rw'] }), refused: /bind mount of host \/etc\/\.\.\/proc\/1\/root/ },
  { name: 'a bind of the host root is refused', edit: (s) => s.mounts!.push({ destination: '/host', type: 'bind', source: '/', options: ['rbind'] }), refused: /bind mount of host \/:/ },
  { name: 'an ordinary host bind passes', edit: (s) => s.mounts!.push({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rw'] }), expect: (s) => assert.is(s.mounts!.at(-1)!.source, '/srv/data') },
  { name: 'rshared propagation is refused', edit: (s) => s.mounts!.push({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rshared'] }), refused: /rshared propagation on \/data/ },
  { name: 'a shared rootfs is refused', edit: (s) => (s.linux!.rootfsPropagation = 'shared'), refused: /shared rootfs propagation/ },
  { name: 'a private rootfs propagation stays', edit: (s) => (s.linux!.rootfsPropagation = 'rslave'), expect: (s) => assert.is(s.linux!.rootfsPropagation, 'rslave') },
  { name: 'a writable cgroup mount is made read-only', edit: (s) => s.mounts!.push({ destination: '/sys/fs/cgroup', type: 'cgroup2', source: 'cgroup', options: ['nosuid', 'rw'] }), expect: (s) => assert.equal(s.mounts!.at(-1)!.options, ['nosuid', 'ro']), decision: ['changed', 'cgroup2 at /sys/fs/cgroup'] },
  { name: 'a writable sysfs is made read-only', edit: (s) => (s.mounts!.find((m) => m.type === 'sysfs')!.options = ['nosuid', 'rw']), expect: (s) => assert.equal(s.mounts!.find((m) => m.type === 'sysfs')!.options, ['nosuid', 'ro']) },
  { name: 'requested masked paths are kept, ours added', edit: (s) => (s.linux!.maskedPaths = ['/proc/foo']), expect: (s) => assert.equal(s.linux!.maskedPaths!.slice(0, 2), ['/proc/foo', '/proc/acpi']) },
  { name: 'no masked or read-only paths requested: ours', edit: (s) => (delete s.linux!.maskedPaths, delete s.linux!.readonlyPaths), expect: (s) => assert.ok(s.linux!.readonlyPaths!.includes('/proc/sys') && s.linux!.maskedPaths!.includes('/proc/kcore')) },
];

for (const row of rows) {
  test(row.name, () => {
    const spec = row.context === podContext ? criPodContainer() : fixture('ctr-default');
    row.edit(spec);
    const p = row.policy ?? policy();
    const ctx = row.context ?? context;
    if (row.refused !== undefined) {
      const err = refusal(spec, p, ctx);
      assert.is(err.code, Code.InvalidArgument);
      assert.match(err.message, row.refused);
      return;
    }
    const { spec: out, decisions } = applyHardening(spec, p, ctx);
    row.expect?.(out);
    if (row.decision !== undefined) {
      const [action, what] = row.decision;
      assert.ok(
        decisions.some((d) => d.action === action && (typeof what === 'string' ? d.what === what : what.test(d.what))),
        JSON.stringify(decisions, null, 1),
      );
    }
  });
}

test.run();
