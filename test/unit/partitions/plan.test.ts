/** The planner on described hosts and on this machine, and the inputs it refuses. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError } from '../../../src/errors';
import { GiB, MiB, describeHost, formatPlan, parseCpuList, planPartitions, readTopology, type Plan } from '../../../src/partitions';

const big = describeHost('128c/512GiB/2numa');

/** name, cpus, mems, memory in GiB (2 decimals) per partition. */
function rows(plan: Plan): Array<[string, string, string, number]> {
  return plan.partitions.map((p) => [p.name, p.cpus, p.mems, Math.round((p.memoryMax / GiB) * 100) / 100]);
}

/** No CPU in two partitions or in a partition and the reserve. */
function assertDisjoint(plan: Plan): void {
  const seen = new Set(parseCpuList(plan.reserved.cpus));
  for (const p of plan.partitions) {
    for (const cpu of parseCpuList(p.cpus)) {
      assert.not.ok(seen.has(cpu), `CPU ${cpu} given twice`);
      seen.add(cpu);
    }
  }
}

test('128c/512GiB/2numa, --count 32: 3 cores each inside one node, the reserve one core per node', () => {
  const plan = planPartitions(big, { count: 32 });
  assertDisjoint(plan);
  assert.is(plan.reserved.cpus, '0,64');
  assert.is(plan.reserved.memoryBytes, Math.floor((512 * GiB * 0.05) / MiB) * MiB);
  assert.is(plan.partitions.length, 32);
  assert.equal(rows(plan).slice(0, 2), [['p00', '1-3', '0', 15.2], ['p01', '4-6', '0', 15.2]]);
  assert.equal(rows(plan)[16], ['p16', '65-67', '1', 15.2]);
  assert.ok(plan.partitions.every((p) => p.cpuCount === 3 && !p.mems.includes(',') && !p.mems.includes('-')));
  assert.is(plan.unassignedCpus, '49-63,113-127');
  assert.ok(plan.notes.some((n) => n.includes('30 CPUs stay unassigned')));
  const p = plan.partitions[0]!;
  assert.is(p.memoryHigh, Math.floor((p.memoryMax * 0.95) / 4096) * 4096);
  assert.equal(p.kubelet.systemReserved, { cpu: '120m', memory: '983Mi', pid: '4096' });
  // The kubelet sees the whole host; the rest of it is reserved away.
  assert.equal(p.kubelet.kubeReserved, { cpu: '125000m', memory: `${Math.floor((512 * GiB - p.memoryMax) / MiB)}Mi` });
  assert.is(p.kubelet.maxPods, 110);
  assert.is(p.pidsMax, 4096 + 110 * 1024);
  // What the pods get together is what the daemons' reserve leaves.
  assert.equal(p.pods, { memoryMax: p.memoryMax - 983 * MiB, pidsMax: 110 * 1024 });
});

test('128c/512GiB/2numa, --cpus 4 --memory 16GiB: 15 per node', () => {
  const plan = planPartitions(big, { cpusPerPartition: 4, memoryPerPartition: 16 * GiB });
  assertDisjoint(plan);
  assert.is(plan.partitions.length, 30);
  assert.equal(plan.partitions.filter((p) => p.mems === '0').length, 15);
  assert.equal(plan.partitions.filter((p) => p.mems === '1').length, 15);
  assert.ok(plan.partitions.every((p) => p.memoryMax === 16 * GiB && p.cpuCount === 4));
});

test('a partition bigger than what a node has left spans nodes; the others stay in one', () => {
  const plan = planPartitions(big, { count: 3 });
  assertDisjoint(plan);
  assert.equal(rows(plan).map((r) => [r[1], r[2]]), [['1-42', '0'], ['65-106', '1'], ['43-63,107-127', '0-1']]);
  assert.ok(plan.notes.some((n) => n.includes('span NUMA nodes')));
  // One partition larger than any node: it spans, nothing else is possible.
  assert.is(planPartitions(big, { count: 1 }).partitions[0]!.mems, '0-1');
});

test('SMT siblings stay together; CPUs per partition round up to whole cores', () => {
  const smt = describeHost('32c/128GiB/2numa/2smt');
  const plan = planPartitions(smt, { cpusPerPartition: 6, memoryPerPartition: 8 * GiB });
  assertDisjoint(plan);
  assert.is(plan.reserved.cpus, '0,16,32,48');
  assert.is(plan.partitions[0]!.cpus, '1-3,33-35');
  for (const p of plan.partitions) {
    const cpus = parseCpuList(p.cpus);
    for (const cpu of cpus) assert.ok(cpus.includes(cpu < 32 ? cpu + 32 : cpu - 32), `${p.name}: CPU ${cpu} without its sibling`);
  }
  const odd = planPartitions(smt, { cpusPerPartition: 3, memoryPerPartition: 4 * GiB });
  assert.is(odd.partitions[0]!.cpuCount, 4);
  assert.ok(odd.notes.some((n) => n.includes('rounded up to 2 whole cores')));
});

test('reserve options: none at all, more CPUs than a core, a memory amount', () => {
  const none = planPartitions(big, { count: 2 }, { reserve: { cpus: 0, memoryBytes: 0 } });
  assert.is(none.reserved.cpus, '');
  assert.equal(rows(none), [['p0', '0-63', '0', 256], ['p1', '64-127', '1', 256]]);
  const more = planPartitions(describeHost('8c/16GiB/2smt'), { count: 1 }, { reserve: { cpus: 3, memoryBytes: 2 * GiB } });
  assert.is(more.reserved.cpus, '0-1,8-9');
  assert.ok(more.notes.some((n) => n.includes('rounded up to whole cores: 4 CPUs')));
  assert.is(more.partitions[0]!.memoryMax, 14 * GiB);
});

test('an operator pids.max sizes maxPods and podPidsLimit from it', () => {
  const plan = planPartitions(big, { count: 32 }, { pidsMax: 2000 });
  const k = plan.partitions[0]!.kubelet;
  assert.is(plan.partitions[0]!.pidsMax, 2000);
  assert.is(k.systemReserved.pid, '500');
  assert.is(plan.partitions[0]!.pods.pidsMax, 1500);
  assert.is(k.maxPods, 93);
  assert.is(k.podPidsLimit, 16);
});

test("this machine: the default plan (one partition per NUMA node) and two partitions with no CPU reserve", () => {
  const host = readTopology();
  const plan = planPartitions(host, { count: host.numaNodes.length });
  assertDisjoint(plan);
  assert.ok(plan.partitions.length >= 1);
  assert.ok(plan.partitions.every((p) => p.memoryMax >= 512 * MiB && p.kubelet.maxPods >= 1));
  if (host.cpus.length >= 2) {
    const two = planPartitions(host, { count: 2 }, { reserve: { cpus: 0 } });
    assertDisjoint(two);
    assert.is(two.partitions.length, 2);
  }
  const table = formatPlan(plan);
  assert.match(table, /^host: \d+ CPUs \(\d+ cores\), \d+ NUMA node/);
  assert.match(table, /NAME\s+CPUS\s+MEMS\s+NCPU\s+MEMORY\s+HIGH\s+PIDS\s+MAXPODS/);
});

test('bad requests are refused, each with a message that says why', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['zero partitions', () => planPartitions(big, { count: 0 }), /partition count must be a whole number above 0/],
    ['more partitions than cores', () => planPartitions(big, { count: 127 }), /127 partitions need at least 127 cores; the host has 126 of 128 after the host reserve \(CPUs 0,64/],
    ['more memory than the host', () => planPartitions(big, { cpusPerPartition: 4, memoryPerPartition: 600 * GiB }), /600GiB is more than the host has \(512GiB\)/],
    ['zero CPUs', () => planPartitions(big, { cpusPerPartition: 0, memoryPerPartition: GiB }), /CPUs per partition must be a whole number above 0/],
    ['fractional CPUs', () => planPartitions(big, { cpusPerPartition: 1.5, memoryPerPartition: GiB }), /CPUs per partition/],
    ['too little memory each', () => planPartitions(describeHost('64c/8GiB'), { count: 60 }), /below the 512MiB minimum/],
    ['nothing fits after the reserve', () => planPartitions(big, { cpusPerPartition: 100, memoryPerPartition: 500 * GiB }), /no partition of 100 CPUs and 500GiB fits: 126 cores and 486.4GiB are left/],
    ['reserve takes all memory', () => planPartitions(big, { count: 1 }, { reserve: { memoryBytes: 512 * GiB } }), /leaves nothing/],
    ['reserve takes all cores', () => planPartitions(big, { count: 1 }, { reserve: { cpus: 128 } }), /no cores left/],
    ['too few pids', () => planPartitions(big, { count: 2 }, { pidsMax: 10 }), /pids 10 is too few .*at least 21/],
  ];
  for (const [what, run, message] of cases) {
    try {
      run();
      assert.unreachable(what);
    } catch (err) {
      assert.instance(err, InvalidArgumentError, what);
      assert.match((err as Error).message, message, what);
    }
  }
});

test.run();
