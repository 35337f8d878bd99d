import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupManagerForPath, cgroupManagerForPid, type CgroupEnv, type V2Metrics } from '../../../src/cgroups';
import { NotFoundError } from '../../../src/errors';
import { V2_CGROUP, tempTree, under, type Tree } from './trees';

const PATH = '/kubepods.slice/pod1/ctr1';
const MAX = '18446744073709551615';
const noSys: CgroupEnv['sys'] = {
  eventfd: () => assert.unreachable('v2 needs no eventfd') as never,
  watchEventfd: () => assert.unreachable('v2 needs no eventfd') as never,
};

function v2Tree(): Tree {
  return tempTree({
    'cgroup/cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
    'proc/5100/cgroup': `0::${PATH}\n`,
    ...under(`cgroup${PATH}`, V2_CGROUP),
  });
}

const env = (tree: Tree): CgroupEnv => ({ root: join(tree.dir, 'cgroup'), procRoot: join(tree.dir, 'proc'), sys: noSys });
const zeroPsi = { avg10: 0, avg60: 0, avg300: 0, total: 0 };

const EXPECTED: V2Metrics = {
  pids: { current: 3, limit: MAX },
  cpu: {
    usageUsec: 1843021,
    userUsec: 1200409,
    systemUsec: 642612,
    nrPeriods: 260,
    nrThrottled: 12,
    throttledUsec: 84520,
    psi: { some: { avg10: 1.25, avg60: 0.4, avg300: 0.08, total: 912345 }, full: { ...zeroPsi, total: 20391 } },
  },
  memory: {
    anon: 2191360,
    file: 8523776,
    kernelStack: 98304,
    slab: 1021088,
    sock: 4096,
    shmem: 0,
    fileMapped: 3538944,
    fileDirty: 12288,
    fileWriteback: 0,
    anonThp: 0,
    inactiveAnon: 2170880,
    activeAnon: 20480,
    inactiveFile: 6103040,
    activeFile: 2420736,
    unevictable: 0,
    slabReclaimable: 702112,
    slabUnreclaimable: 318976,
    pgfault: 5218,
    pgmajfault: 31,
    // Kernels since 5.9 split these into *_anon/*_file; containerd reads the old keys, so 0.
    workingsetRefault: 0,
    workingsetActivate: 0,
    workingsetNodereclaim: 0,
    pgrefill: 0,
    pgscan: 0,
    pgsteal: 0,
    pgactivate: 592,
    pgdeactivate: 0,
    pglazyfree: 0,
    pglazyfreed: 0,
    thpFaultAlloc: 0,
    thpCollapseAlloc: 0,
    usage: 12095488,
    usageLimit: 268435456,
    swapUsage: 0,
    swapLimit: MAX,
    maxUsage: 14680064,
    swapMaxUsage: 0,
    psi: { some: { ...zeroPsi, total: 1042 }, full: { ...zeroPsi, total: 1001 } },
  },
  io: {
    usage: [
      { major: 8, minor: 16, rbytes: 1459200, wbytes: 314773504, rios: 192, wios: 353 },
      { major: 254, minor: 0, rbytes: 4096, wbytes: 0, rios: 1, wios: 0 },
    ],
    psi: { some: zeroPsi, full: zeroPsi },
  },
  hugetlb: [
    { current: 2097152, max: MAX, pagesize: '2MB' },
    { current: 0, max: 0, pagesize: '1GB' },
  ],
  memoryEvents: { low: 0, high: 0, max: 3, oom: 1, oomKill: 1 },
};

test('a pid on a v2 host: v2 metrics exactly as containerd builds them', async () => {
  const tree = v2Tree();
  try {
    const manager = await cgroupManagerForPid(5100, env(tree));
    assert.is(manager.version, 2);
    const stats = await manager.stats();
    assert.is(stats.typeUrl, 'io.containerd.cgroups.v2.Metrics');
    assert.equal(stats.metrics, EXPECTED);
    assert.equal(await manager.pids(), [5100]);
    assert.is(await manager.oomKillCount(), 1);
  } finally {
    tree.remove();
  }
});

test('a cgroup without memory, io, pids, hugetlb or PSI: cpu alone', async () => {
  const tree = v2Tree();
  try {
    const dir = join(tree.dir, 'cgroup', PATH);
    for (const name of Object.keys(V2_CGROUP)) {
      if (name !== 'cpu.stat' && name !== 'cgroup.procs') rmSync(join(dir, name));
    }
    const manager = await cgroupManagerForPath(PATH, env(tree));
    const { psi: _, ...cpu } = EXPECTED.cpu!;
    assert.equal((await manager.stats()).metrics, { cpu });
    assert.is(await manager.oomKillCount(), 0);
  } finally {
    tree.remove();
  }
});

test('a removed cgroup: NotFound', async () => {
  const tree = v2Tree();
  try {
    const manager = await cgroupManagerForPid(5100, env(tree));
    rmSync(join(tree.dir, 'cgroup', PATH), { recursive: true });
    await manager.stats().then(
      () => assert.unreachable('stats of a removed cgroup'),
      (err) => assert.instance(err, NotFoundError),
    );
    await cgroupManagerForPid(5100, env(tree)).then(
      () => assert.unreachable('loading a removed cgroup'),
      (err) => assert.instance(err, NotFoundError),
    );
  } finally {
    tree.remove();
  }
});

test.run();
