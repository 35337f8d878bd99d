/** The state file's parser and the generated kubelet fragment's version-specific parts. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError } from '../../../src/errors';
import { GiB, parsePartitionState, partitionPaths, renderKubeletConfig, requestOf, sameRequest, sizePartition, type PartitionState } from '../../../src/partitions';

function state(over: Partial<PartitionState> = {}): PartitionState {
  return {
    version: 2,
    name: 'p0',
    mode: 'clamp',
    spec: sizePartition({ name: 'p0', cpus: [0, 1], mems: [0], memoryBytes: 4 * GiB }, { cpuCount: 8, memoryBytes: 32 * GiB }),
    explicitPids: false,
    cgroup: { version: 1, root: '/sys/fs/cgroup', path: '/metassembly.slice/p0', systemProcs: [] },
    paths: partitionPaths('p0', { stateDir: '/var/lib/metassembly/partitions', runDir: '/run/metassembly' }),
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

test('the state round-trips through JSON; the default paths are the documented ones', () => {
  const s = state();
  assert.equal(parsePartitionState(JSON.stringify(s), 'p0.json'), s);
  assert.equal(s.paths, {
    stateFile: '/var/lib/metassembly/partitions/p0.json',
    dir: '/var/lib/metassembly/partitions/p0',
    containerdRoot: '/var/lib/metassembly/partitions/p0/containerd',
    containerdConfig: '/var/lib/metassembly/partitions/p0/containerd.toml',
    shimConfig: '/var/lib/metassembly/partitions/p0/metassembly.toml',
    kubeletConfig: '/var/lib/metassembly/partitions/p0/kubelet-config.yaml',
    runDir: '/run/metassembly/p0',
    containerdState: '/run/metassembly/p0/containerd',
    grpcAddress: '/run/metassembly/p0/containerd.sock',
    ttrpcAddress: '/run/metassembly/p0/containerd.sock.ttrpc',
    runtimeRoot: '/run/metassembly/p0/runc',
  });
});

test('a damaged state file is refused with its name and the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['{', /p0.json: not JSON/],
    ['null', /not an object/],
    [JSON.stringify({ ...state(), version: 3 }), /version 3, this manager reads version 2$/],
    [JSON.stringify({ ...state(), version: 1 }), /version 1, this manager reads version 2 \(version 1 had no pods cgroup: .*create it again\)/],
    [JSON.stringify({ ...state(), spec: { ...state().spec, pods: undefined } }), /no pods budget in the spec/],
    [JSON.stringify({ ...state(), name: '../x' }), /bad name/],
    [JSON.stringify({ ...state(), mode: 'lax' }), /bad mode/],
    [JSON.stringify({ ...state(), cgroup: { version: 3, path: '/x' } }), /no cgroup/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parsePartitionState(text, 'p0.json'), (err: Error) => err instanceof InvalidArgumentError && message.test(err.message), text);
  }
});

test('the same request: derived pids do not count, an operator pids.max does', () => {
  const a = state();
  assert.ok(sameRequest(requestOf(a), requestOf(state())));
  assert.not.ok(sameRequest(requestOf(a), requestOf(state({ mode: 'refuse' }))));
  const explicit = state({ explicitPids: true });
  assert.is(requestOf(explicit).pidsMax, a.spec.pidsMax);
  assert.not.ok(sameRequest(requestOf(a), requestOf(explicit)));
});

test('kubelet fragment: cgroupfs driver under the partition; failCgroupV1: false only on v1', () => {
  const v1 = renderKubeletConfig(state());
  assert.match(v1, /\ncgroupDriver: cgroupfs\ncgroupRoot: \/metassembly.slice\/p0\/.pods\n/);
  assert.match(v1, /\nsystemReserved:\n  cpu: 110m\n  memory: 409Mi\n  pid: "4096"\n/);
  assert.match(v1, /\nkubeReserved:\n  cpu: 6000m\n  memory: 28672Mi\n/);
  assert.match(v1, /\nfailCgroupV1: false\n$/);
  const v2 = renderKubeletConfig(state({ cgroup: { version: 2, root: '/sys/fs/cgroup', path: '/metassembly.slice/p0', systemProcs: [] } }));
  assert.not.match(v2, /failCgroupV1/);
});

test.run();
