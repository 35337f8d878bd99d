/** Placement: the nested cgroup path whatever the request says, and clamp or refuse beyond the partition. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError } from '../../../src/errors';
import type { OciSpec } from '../../../src/hardening';
import { GiB, PlacementRefusedError, placeContainer, type PartitionBounds, type PlacementSpec } from '../../../src/partitions';

const partition: PartitionBounds = { name: 'p0', cgroupParent: '/metassembly.slice/p0', cpus: '4-7', mems: '0', memoryMax: 4 * GiB, pidsMax: 2000 };
const ids = { podId: 'pod1', containerId: 'ctr1' };

type Resources = NonNullable<PlacementSpec['linux']>['resources'];

function spec(resources: Resources, cgroupsPath = '/kubepods/burstable/podabc/ctr1'): PlacementSpec {
  return { ociVersion: '1.1.0', process: { args: ['sh'] }, linux: { cgroupsPath, resources, namespaces: [{ type: 'pid' }] } };
}

test('the cgroup path is <partition>/<pod>/<container> whatever the request said, other fields untouched', () => {
  for (const asked of ['/kubepods/burstable/podabc/ctr1', 'system.slice:cri:ctr1', '../../escape', '']) {
    const input = spec({}, asked);
    const placed = placeContainer(input, partition, { ...ids, mode: 'clamp' });
    assert.is(placed.cgroupsPath, '/metassembly.slice/p0/pod1/ctr1');
    assert.is(placed.spec.linux!.cgroupsPath, '/metassembly.slice/p0/pod1/ctr1');
    assert.equal(placed.spec.linux!.namespaces, [{ type: 'pid' }]);
    assert.equal(placed.spec.process, { args: ['sh'] });
    assert.is(input.linux!.cgroupsPath, asked, 'the input spec is not changed');
    assert.equal(placed.decisions.map((d) => [d.what, d.action]), [['cgroupsPath', 'changed']]);
  }
  // No linux section at all: one is made.
  assert.is(placeContainer<PlacementSpec>({}, partition, { ...ids, mode: 'refuse' }).spec.linux!.cgroupsPath, '/metassembly.slice/p0/pod1/ctr1');
  // Already the right path: nothing to say.
  assert.equal(placeContainer(spec({}, '/metassembly.slice/p0/pod1/ctr1'), partition, { ...ids, mode: 'clamp' }).decisions, []);
});

test('ids that could leave the partition cgroup are refused', () => {
  for (const [podId, containerId] of [['..', 'c'], ['p', '../x'], ['a/b', 'c'], ['p', ''], ['.hidden', 'c']]) {
    assert.throws(
      () => placeContainer({}, partition, { podId: podId!, containerId: containerId!, mode: 'clamp' }),
      (err: Error) => err instanceof InvalidArgumentError && /cannot name a cgroup/.test(err.message),
      `${podId}/${containerId}`,
    );
  }
  assert.throws(() => placeContainer({}, { ...partition, cgroupParent: 'relative/p0' }, { ...ids, mode: 'clamp' }), /clean absolute path/);
});

type Row = [string, Resources, Resources, string];

// what, asked, clamped to, the decision's `what`
const overLimits: Row[] = [
  ['cpu quota beyond the partition CPUs', { cpu: { quota: 800_000, period: 100_000 } }, { cpu: { quota: 400_000, period: 100_000 } }, 'cpu quota'],
  ['cpu quota with the default period', { cpu: { quota: 500_000 } }, { cpu: { quota: 400_000 } }, 'cpu quota'],
  ['cpuset partly outside', { cpu: { cpus: '2-5' } }, { cpu: { cpus: '4-5' } }, 'cpuset cpus'],
  ['cpuset wholly outside', { cpu: { cpus: '0-1' } }, { cpu: { cpus: '4-7' } }, 'cpuset cpus'],
  ['mems outside', { cpu: { mems: '0-1' } }, { cpu: { mems: '0' } }, 'cpuset mems'],
  ['memory limit', { memory: { limit: 8 * GiB, swap: 8 * GiB } }, { memory: { limit: 4 * GiB, swap: 8 * GiB } }, 'memory limit'],
  ['memory reservation', { memory: { reservation: 5 * GiB } }, { memory: { reservation: 4 * GiB } }, 'memory reservation'],
  ['pids limit', { pids: { limit: 5000 } }, { pids: { limit: 2000 } }, 'pids limit'],
];

test('clamp: each over-limit request is brought down to the partition, with a decision', () => {
  for (const [what, asked, clamped, decision] of overLimits) {
    const placed = placeContainer(spec(asked), partition, { ...ids, mode: 'clamp' });
    assert.equal(placed.spec.linux!.resources, clamped, what);
    const d = placed.decisions.find((x) => x.what === decision);
    assert.ok(d, `${what}: decision`);
    assert.is(d!.action, 'changed', what);
    assert.match(d!.why, /more than the partition's .*: clamped to/, what);
  }
});

test('refuse: each over-limit request fails with PlacementRefusedError naming it', () => {
  for (const [what, asked, , decision] of overLimits) {
    try {
      placeContainer(spec(asked), partition, { ...ids, mode: 'refuse' });
      assert.unreachable(what);
    } catch (err) {
      assert.instance(err, PlacementRefusedError, what);
      assert.instance(err, InvalidArgumentError, what);
      assert.match((err as Error).message, new RegExp(`^partition p0 refused container ctr1: ${decision}: asks for .* more than the partition's`), what);
      assert.ok((err as PlacementRefusedError).decisions.some((d) => d.what === decision && d.action === 'refused'), what);
    }
  }
});

test('refuse lists every refusal at once', () => {
  try {
    placeContainer(spec({ memory: { limit: 8 * GiB }, pids: { limit: 9000 }, cpu: { quota: 1_000_000, period: 100_000 } }), partition, { ...ids, mode: 'refuse' });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, /cpu quota: asks for quota 1000000\/100000 \(10 CPUs\), more than the partition's 4 CPUs; memory limit: asks for 8GiB, more than the partition's 4GiB; pids limit/);
  }
});

test('within the partition, unlimited or unset: left alone in both modes', () => {
  const within: Resources[] = [
    { cpu: { quota: 400_000, period: 100_000, cpus: '5-6', mems: '0', shares: 4096 } },
    { cpu: { quota: -1 } },
    { memory: { limit: 4 * GiB, reservation: GiB } },
    { memory: { limit: -1 } },
    { pids: { limit: 0 } },
    { pids: { limit: -1 } },
    {},
    undefined,
  ];
  for (const resources of within) {
    for (const mode of ['clamp', 'refuse'] as const) {
      const placed = placeContainer(spec(resources), partition, { ...ids, mode });
      assert.equal(placed.spec.linux!.resources, resources, JSON.stringify(resources));
      assert.equal(placed.decisions.map((d) => d.what), ['cgroupsPath']);
    }
  }
});

test("the hardening module's OciSpec goes through placement and comes back as one", () => {
  const oci: OciSpec = { linux: { cgroupsPath: '/x', resources: { memory: { limit: 8 * GiB } }, maskedPaths: ['/proc/kcore'] } };
  const placed: OciSpec = placeContainer(oci, partition, { ...ids, mode: 'clamp' }).spec;
  assert.equal(placed.linux!.resources!.memory, { limit: 4 * GiB });
  assert.equal(placed.linux!.maskedPaths, ['/proc/kcore']);
});

test.run();
