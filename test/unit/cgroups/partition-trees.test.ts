/**
 * Partition cgroups over temp trees: what create writes where, on v2 (top-down
 * delegation, limits, the .system leaf) and v1 (a directory per hierarchy, cpuset
 * inherited, converted weights), what it refuses, and the occupancy that makes
 * remove refuse. Removal itself needs a real cgroupfs (rmdir of a directory with
 * files): partition-real-v1.test.ts and test/v2/partitions.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { V1PartitionCgroups, V2PartitionCgroups, ioWeightToBlkio, partitionCgroups, weightToShares, type CgroupLimits } from '../../../src/cgroups';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../../../src/errors';
import { tempTree } from './trees';

const limits: CgroupLimits = {
  cpus: '2-3',
  mems: '0',
  memoryMax: 4 << 30,
  memoryHigh: 3 << 30,
  pidsMax: 5000,
  cpuWeight: 400,
  ioWeight: 100,
  pods: { memoryMax: 3 << 30, pidsMax: 4000 },
};
const PATH = '/metassembly.slice/p0';

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

test('v2: controllers delegated at every level, limits on the partition, a .system leaf, the pods\' budget on .pods', async () => {
  const tree = tempTree({ 'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n', 'cgroup.subtree_control': 'memory pids\n', 'cgroup.procs': '1\n' });
  try {
    const cgroups = partitionCgroups(tree.dir, 'v2');
    assert.is(cgroups.version, 2);
    const info = await cgroups.create(PATH, limits);
    // The root had memory and pids: only what it lacked is added; io.weight is absent on a temp tree.
    assert.is(read(tree.dir, 'cgroup.subtree_control'), '+cpuset +cpu +io');
    for (const level of ['metassembly.slice', 'metassembly.slice/p0']) assert.is(read(tree.dir, `${level}/cgroup.subtree_control`), '+cpuset +cpu +io +memory +pids', level);
    const p0 = join(tree.dir, 'metassembly.slice/p0');
    assert.equal(
      ['cpuset.cpus', 'cpuset.mems', 'memory.max', 'memory.high', 'pids.max', 'cpu.weight'].map((f) => read(p0, f)),
      ['2-3', '0', String(4 << 30), String(3 << 30), '5000', '400'],
    );
    assert.not.ok(existsSync(join(p0, 'io.weight')), 'io.weight is written only where the kernel has it');
    assert.ok(existsSync(join(p0, '.system')));
    assert.not.ok(existsSync(join(p0, '.system/cgroup.subtree_control')), 'the leaf delegates nothing');
    // The pods' parent delegates on to each pod and holds what the daemons' reserve leaves them.
    assert.is(read(p0, '.pods/cgroup.subtree_control'), '+cpuset +cpu +io +memory +pids');
    assert.equal(['memory.max', 'pids.max'].map((f) => read(p0, `.pods/${f}`)), [String(3 << 30), '4000']);
    assert.equal(info, { version: 2, systemProcs: [join(p0, '.system/cgroup.procs')], notes: ['io: no io.weight (the kernel has no iocost), disks are shared unweighted'] });
    assert.ok(await cgroups.exists(PATH));
    assert.not.ok(await cgroups.exists('/metassembly.slice/p1'));

    // Idempotent: again on the same tree changes nothing but rewrites the same values.
    tree.write({ 'metassembly.slice/p0/io.weight': 'default 100\n' });
    const again = await cgroups.create(PATH, limits);
    assert.equal(again.notes, []);
    assert.is(read(p0, 'io.weight'), 'default 100');
  } finally {
    tree.remove();
  }
});

test('v2: a root without a needed controller is refused before anything is made', async () => {
  const tree = tempTree({ 'cgroup.controllers': 'cpu io memory pids\n', 'cgroup.subtree_control': '' });
  try {
    await new V2PartitionCgroups(tree.dir).create(PATH, limits).then(
      () => assert.unreachable('created'),
      (err: Error) => {
        assert.instance(err, FailedPreconditionError);
        assert.match(err.message, /has no cpuset controller; a partition needs cpuset, cpu, memory, pids/);
      },
    );
    assert.not.ok(existsSync(join(tree.dir, 'metassembly.slice')));
  } finally {
    tree.remove();
  }
});

test('v2: occupancy counts processes in the subtree and pod cgroups (under .pods, and strays), not .system or .pods; remove refuses without force', async () => {
  const tree = tempTree({
    'cgroup.controllers': 'cpuset cpu memory pids\n',
    'metassembly.slice/p0/cgroup.procs': '',
    'metassembly.slice/p0/.system/cgroup.procs': '300\n301\n',
    'metassembly.slice/p0/.pods/cgroup.procs': '',
    'metassembly.slice/p0/.pods/pod1/cgroup.procs': '',
    'metassembly.slice/p0/.pods/pod1/ctr1/cgroup.procs': '400\n',
    'metassembly.slice/p0/pod2/cgroup.procs': '',
  });
  try {
    const cgroups = new V2PartitionCgroups(tree.dir);
    assert.equal(await cgroups.occupancy(PATH), { pids: [300, 301, 400], children: ['pod1', 'pod2'] });
    await cgroups.remove(PATH, { force: false }).then(
      () => assert.unreachable('removed'),
      (err: Error) => {
        assert.instance(err, FailedPreconditionError);
        assert.match(err.message, /still has 2 pod cgroups \(pod1, pod2\) and 3 processes \(300 301 400\)/);
      },
    );
    await cgroups.occupancy('/metassembly.slice/gone').then(
      () => assert.unreachable(),
      (err: Error) => assert.instance(err, NotFoundError),
    );
    // Removing what is not there is done already.
    await cgroups.remove('/metassembly.slice/gone', { force: false });
  } finally {
    tree.remove();
  }
});

/** The v1 hierarchies of this host, as directories with cgroup.procs (cpu and cpuacct apart). */
function v1Tree() {
  const files: Record<string, string> = { 'cpuset/cpuset.cpus': '0-7\n', 'cpuset/cpuset.mems': '0-1\n' };
  for (const h of ['cpuset', 'cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer', 'devices', 'systemd']) files[`${h}/cgroup.procs`] = '1\n';
  return tempTree(files);
}

test('v1: a directory per hierarchy, cpuset inherited level by level, limits converted', async () => {
  const tree = v1Tree();
  try {
    tree.write({ 'blkio/metassembly.slice/p0/blkio.weight': '500\n' });
    const cgroups = partitionCgroups(tree.dir, 'hybrid');
    assert.is(cgroups.version, 1);
    const info = await cgroups.create(PATH, limits);
    const at = (h: string, f: string) => read(tree.dir, `${h}/metassembly.slice/${f}`);
    // The slice holds the root's whole set so that any partition's set is a subset of its parent's.
    assert.is(at('cpuset', 'cpuset.cpus'), '0-7');
    assert.is(at('cpuset', 'cpuset.mems'), '0-1');
    assert.is(at('cpuset', 'p0/cpuset.cpus'), '2-3');
    assert.is(at('cpuset', 'p0/cpuset.mems'), '0');
    assert.is(at('cpuset', 'p0/cgroup.clone_children'), '1');
    assert.is(at('cpuset', 'p0/.system/cpuset.cpus'), '2-3');
    assert.is(at('cpuset', 'p0/.system/cpuset.mems'), '0');
    assert.is(at('cpuset', 'p0/.pods/cpuset.cpus'), '2-3');
    assert.is(at('cpuset', 'p0/.pods/cgroup.clone_children'), '1');
    assert.is(at('memory', 'p0/.pods/memory.limit_in_bytes'), String(3 << 30));
    assert.is(at('pids', 'p0/.pods/pids.max'), '4000');
    assert.is(at('memory', 'memory.use_hierarchy'), '1');
    assert.is(at('memory', 'p0/memory.use_hierarchy'), '1');
    assert.is(at('memory', 'p0/memory.limit_in_bytes'), String(4 << 30));
    assert.is(at('memory', 'p0/memory.soft_limit_in_bytes'), String(3 << 30));
    assert.is(at('pids', 'p0/pids.max'), '5000');
    assert.is(at('cpu', 'p0/cpu.shares'), '4096');
    assert.is(at('blkio', 'p0/blkio.weight'), '500');
    // Only the hierarchies that hold limits or stats get a directory; runc makes the rest per container.
    assert.not.ok(existsSync(join(tree.dir, 'freezer/metassembly.slice')));
    assert.equal(info.systemProcs, ['cpuset', 'cpu', 'memory', 'pids', 'cpuacct', 'blkio'].map((h) => join(tree.dir, h, 'metassembly.slice/p0/.system/cgroup.procs')));
    assert.equal(info.notes, []);
  } finally {
    tree.remove();
  }
});

test('v1: weight conversions keep each default on the other default, within range', () => {
  assert.equal([1, 100, 400, 10000].map(weightToShares), [10, 1024, 4096, 102400]);
  assert.equal([1, 100, 200, 10000].map(ioWeightToBlkio), [10, 500, 1000, 1000]);
});

test('v1: occupancy is the union over every hierarchy that has the partition (runc makes containers in all)', async () => {
  const tree = v1Tree();
  try {
    tree.write({
      'memory/metassembly.slice/p0/cgroup.procs': '',
      'memory/metassembly.slice/p0/.system/cgroup.procs': '300\n',
      'freezer/metassembly.slice/p0/cgroup.procs': '',
      'freezer/metassembly.slice/p0/podf/cgroup.procs': '500\n',
      'pids/metassembly.slice/p0/cgroup.procs': '',
      'pids/metassembly.slice/p0/.pods/cgroup.procs': '',
      'pids/metassembly.slice/p0/.pods/pod1/cgroup.procs': '',
      'pids/metassembly.slice/p0/.pods/pod1/c/cgroup.procs': '400\n',
    });
    const cgroups = new V1PartitionCgroups(tree.dir);
    assert.equal(await cgroups.occupancy(PATH), { pids: [300, 400, 500], children: ['pod1', 'podf'] });
    await cgroups.remove(PATH, { force: false }).then(
      () => assert.unreachable('removed'),
      (err: Error) => assert.match(err.message, /still has 2 pod cgroups \(pod1, podf\) and 3 processes/),
    );
  } finally {
    tree.remove();
  }
});

test('v1: a missing hierarchy a partition needs is refused', async () => {
  const tree = tempTree({ 'cpu/cgroup.procs': '', 'memory/cgroup.procs': '' });
  try {
    await new V1PartitionCgroups(tree.dir).create(PATH, limits).then(
      () => assert.unreachable(),
      (err: Error) => assert.match(err.message, /no v1 cpuset, pids hierarchy/),
    );
  } finally {
    tree.remove();
  }
});

test('paths that could leave the root are refused on both versions', async () => {
  for (const cgroups of [new V1PartitionCgroups('/nonexistent'), new V2PartitionCgroups('/nonexistent')]) {
    for (const path of ['relative', '/a/../b', '/', '/a//b']) {
      await cgroups.create(path, limits).then(
        () => assert.unreachable(path),
        (err: Error) => assert.instance(err, InvalidArgumentError, path),
      );
    }
  }
});

test.run();
