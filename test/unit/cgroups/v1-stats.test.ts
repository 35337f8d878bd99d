import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupManagerForPath, cgroupManagerForPid, type CgroupEnv, type V1Metrics } from '../../../src/cgroups';
import { NotFoundError } from '../../../src/errors';
import { PARTITIONS, V1_BLKIO, V1_CPU, V1_CPUACCT, V1_HUGETLB, V1_MEMORY, V1_PIDS, tempTree, under, v1ProcCgroup, type Tree } from './trees';

const PATH = '/kubepods/pod1/ctr1';
const noSys: CgroupEnv['sys'] = {
  eventfd: () => assert.unreachable('no eventfd in stats tests') as never,
  watchEventfd: () => assert.unreachable('no watch in stats tests') as never,
};

function hostTree(): Tree {
  const controllers = { memory: V1_MEMORY, cpu: V1_CPU, cpuacct: V1_CPUACCT, pids: V1_PIDS, blkio: V1_BLKIO, hugetlb: V1_HUGETLB };
  const tree = tempTree({ 'proc/4242/cgroup': v1ProcCgroup(PATH), 'proc/partitions': PARTITIONS, 'cgroup/unified/cgroup.controllers': 'hugetlb\n' });
  for (const [name, files] of Object.entries(controllers)) {
    tree.write(under(`cgroup/${name}`, { 'cgroup.procs': '1\n' }));
    tree.write(under(`cgroup/${name}${PATH}`, files));
  }
  return tree;
}

const env = (tree: Tree): CgroupEnv => ({ root: join(tree.dir, 'cgroup'), procRoot: join(tree.dir, 'proc'), sys: noSys });
const LIMIT = '9223372036854771712';
const blk = (op: string, value: number) => ({ op, device: '/dev/vda', major: 254, minor: 0, value });

const EXPECTED: V1Metrics = {
  hugetlb: [
    { usage: 4194304, max: 6291456, failcnt: 1, pagesize: '2MB' },
    { usage: 0, max: 0, failcnt: 0, pagesize: '1GB' },
  ],
  pids: { current: 2, limit: 0 },
  cpu: {
    usage: { total: 68538735695, kernel: 28210000000, user: 40290000000, perCpu: [28105876908, 40440892443] },
    throttling: { periods: 120, throttledPeriods: 7, throttledTime: 351212009 },
  },
  memory: {
    cache: 344064,
    rss: 1699840,
    rssHuge: 0,
    mappedFile: 155648,
    dirty: 24576,
    writeback: 0,
    pgPgIn: 15685,
    pgPgOut: 15186,
    pgFault: 38379,
    pgMajFault: 7,
    inactiveAnon: 1642496,
    activeAnon: 12288,
    inactiveFile: 106496,
    activeFile: 237568,
    unevictable: 0,
    hierarchicalMemoryLimit: LIMIT,
    hierarchicalSwapLimit: LIMIT,
    totalCache: 344064,
    totalRss: 1699840,
    totalRssHuge: 0,
    totalMappedFile: 155648,
    totalDirty: 24576,
    totalWriteback: 0,
    totalPgPgIn: 15685,
    totalPgPgOut: 15186,
    totalPgFault: 38379,
    totalPgMajFault: 7,
    totalInactiveAnon: 1642496,
    totalActiveAnon: 12288,
    totalInactiveFile: 106496,
    totalActiveFile: 237568,
    totalUnevictable: 0,
    usage: { limit: LIMIT, usage: 3448832, max: 4235264, failcnt: 0 },
    swap: { limit: LIMIT, usage: 3624960, max: 4411392, failcnt: 0 },
    kernel: { limit: LIMIT, usage: 1503232, max: 2347008, failcnt: 0 },
    kernelTcp: { limit: LIMIT, usage: 0, max: 0, failcnt: 0 },
  },
  blkio: {
    ioServiceBytesRecursive: [blk('Read', 1257472), blk('Write', 8192), blk('Sync', 1265664), blk('Async', 0), blk('Discard', 0), blk('Total', 1265664)],
    ioServicedRecursive: [blk('Read', 37), blk('Write', 2), blk('Sync', 39), blk('Async', 0), blk('Discard', 0), blk('Total', 39)],
    ioQueuedRecursive: [],
    ioServiceTimeRecursive: [],
    ioWaitTimeRecursive: [],
    ioMergedRecursive: [],
    ioTimeRecursive: [],
    sectorsRecursive: [],
  },
  memoryOomControl: { oomKillDisable: 0, underOom: 0, oomKill: 2 },
};

test('a pid on a hybrid host: v1 metrics exactly as containerd builds them', async () => {
  const tree = hostTree();
  try {
    const manager = await cgroupManagerForPid(4242, env(tree));
    assert.is(manager.version, 1);
    const stats = await manager.stats();
    assert.is(stats.typeUrl, 'io.containerd.cgroups.v1.Metrics');
    // This host's /proc/<pid>/cgroup has no hugetlb line (hugetlb sits on cgroup2 here), so no hugetlb part.
    const { hugetlb: _, ...withoutHugetlb } = EXPECTED;
    assert.equal(stats.metrics, withoutHugetlb);
  } finally {
    tree.remove();
  }
});

test('a path: the same cgroup in every hierarchy', async () => {
  const tree = hostTree();
  try {
    const manager = await cgroupManagerForPath('kubepods/pod1/ctr1', { ...env(tree), mode: 'v1' });
    assert.equal((await manager.stats()).metrics, EXPECTED);
  } finally {
    tree.remove();
  }
});

test('missing controllers and modules leave their parts out', async () => {
  const tree = hostTree();
  try {
    for (const name of ['cpu', 'pids', 'blkio', 'hugetlb']) rmSync(join(tree.dir, 'cgroup', name, PATH), { recursive: true });
    for (const name of ['usage_in_bytes', 'limit_in_bytes', 'max_usage_in_bytes', 'failcnt']) {
      rmSync(join(tree.dir, 'cgroup/memory', PATH, `memory.memsw.${name}`));
    }
    const { metrics } = (await (await cgroupManagerForPid(4242, env(tree))).stats()) as { metrics: V1Metrics };
    assert.equal(Object.keys(metrics).sort(), ['cpu', 'memory', 'memoryOomControl']);
    assert.equal(metrics.cpu!.throttling, { periods: 0, throttledPeriods: 0, throttledTime: 0 });
    assert.is(metrics.cpu!.usage.total, 68538735695);
    assert.is(metrics.memory!.swap, undefined);
    assert.equal(metrics.memory!.kernel, EXPECTED.memory!.kernel);
  } finally {
    tree.remove();
  }
});

test('CFQ recursive files win over the throttle files when they have entries', async () => {
  const tree = hostTree();
  try {
    tree.write(
      under(`cgroup/blkio${PATH}`, {
        'blkio.io_serviced_recursive': '8:0 Read 5\n8:0 Write 6\nTotal 11\n',
        'blkio.io_service_bytes_recursive': '8:0 Read 20480\n8:0 Write 24576\nTotal 45056\n',
        'blkio.sectors_recursive': '8:0 88\n',
        'blkio.time_recursive': '8:0 1203\n',
      }),
    );
    tree.write({ 'proc/partitions': `${PARTITIONS}   8        0   10485760 sda\n   8        1   10484736 sda1\n` });
    const { metrics } = (await (await cgroupManagerForPid(4242, env(tree))).stats()) as { metrics: V1Metrics };
    const sda = (op: string, value: number) => ({ op, device: '/dev/sda', major: 8, minor: 0, value });
    assert.equal(metrics.blkio, {
      ioServiceBytesRecursive: [sda('Read', 20480), sda('Write', 24576)],
      ioServicedRecursive: [sda('Read', 5), sda('Write', 6)],
      ioQueuedRecursive: [],
      ioServiceTimeRecursive: [],
      ioWaitTimeRecursive: [],
      ioMergedRecursive: [],
      ioTimeRecursive: [sda('', 1203)],
      sectorsRecursive: [sda('', 88)],
    });
  } finally {
    tree.remove();
  }
});

test('pids walks child cgroups of the memory hierarchy; oomKillCount reads oom_control', async () => {
  const tree = hostTree();
  try {
    tree.write(under(`cgroup/memory${PATH}/nested`, { 'cgroup.procs': '4300\n4250\n' }));
    const manager = await cgroupManagerForPid(4242, env(tree));
    assert.equal(await manager.pids(), [4242, 4250, 4300]);
    assert.is(await manager.oomKillCount(), 2);
  } finally {
    tree.remove();
  }
});

test('a cgroup removed after loading: stats and pids are NotFound', async () => {
  const tree = hostTree();
  try {
    const manager = await cgroupManagerForPid(4242, env(tree));
    for (const name of ['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'hugetlb']) rmSync(join(tree.dir, 'cgroup', name, PATH), { recursive: true });
    await manager.stats().then(
      () => assert.unreachable('stats of a removed cgroup'),
      (err) => assert.instance(err, NotFoundError),
    );
    await manager.pids().then(
      () => assert.unreachable('pids of a removed cgroup'),
      (err) => assert.instance(err, NotFoundError),
    );
  } finally {
    tree.remove();
  }
});

test('no such process or cgroup: NotFound', async () => {
  const tree = hostTree();
  try {
    await cgroupManagerForPid(999, env(tree)).then(
      () => assert.unreachable('a pid without /proc entry'),
      (err) => assert.instance(err, NotFoundError),
    );
    await cgroupManagerForPath('/nope', env(tree)).then(
      () => assert.unreachable('a path no hierarchy has'),
      (err) => assert.instance(err, NotFoundError),
    );
  } finally {
    tree.remove();
  }
});

test.run();
