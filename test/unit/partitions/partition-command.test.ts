/**
 * `partition plan|create|list|show|delete` on private trees: a fake host (2 NUMA nodes, 8
 * CPUs, 16 GiB), a temp cgroup v2 root and a temp state directory. Bad input must leave
 * every tree exactly as it was. Real cgroup removal is in partition-command-real.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { partitionCommand } from '../../../src/bootstrap/partition-command';
import type { PartitionEnv } from '../../../src/bootstrap/partition-actions';
import { parseToml } from '../../../src/config';
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../../../src/errors';
import { parsePartitionState } from '../../../src/partitions';
import { fakeHost } from './fake-host';

interface World {
  env: PartitionEnv;
  output: () => string;
  /** every file under the three trees with its content: what "nothing changed" compares */
  snapshot: () => Record<string, string>;
  remove: () => void;
}

function world(): World {
  const hostRoot = fakeHost();
  const base = mkdtempSync(join(tmpdir(), 'metassembly-pcmd-'));
  const cgroupRoot = join(base, 'cgroup');
  mkdirSync(cgroupRoot);
  writeFileSync(join(cgroupRoot, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  writeFileSync(join(cgroupRoot, 'cgroup.subtree_control'), '');
  let out = '';
  const env: PartitionEnv = {
    dirs: { stateDir: join(base, 'state'), runDir: join(base, 'run') },
    cgroupRoot,
    hostRoot,
    slice: '/metassembly.slice',
    out: (text) => void (out += text),
  };
  const walk = (dir: string, into: Record<string, string>) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, Object.assign(into, { [`${relative(base, path)}/`]: '' }));
      else into[relative(base, path)] = readFileSync(path, 'utf8');
    }
    return into;
  };
  return {
    env,
    output: () => {
      const text = out;
      out = '';
      return text;
    },
    snapshot: () => walk(base, {}),
    remove: () => {
      rmSync(base, { recursive: true, force: true });
      rmSync(hostRoot, { recursive: true, force: true });
    },
  };
}

async function fails(w: World, args: string[], type: new (...a: never[]) => Error, message: RegExp): Promise<void> {
  const before = w.snapshot();
  await partitionCommand(args, w.env).then(
    () => assert.unreachable(args.join(' ')),
    (err: Error) => {
      assert.instance(err, type, `${args.join(' ')}: ${err.message}`);
      assert.match(err.message, message, args.join(' '));
    },
  );
  assert.equal(w.snapshot(), before, `${args.join(' ')} changed nothing`);
}

test('plan: this (fake) host by default, a described host with --host, a size request', async () => {
  const w = world();
  try {
    assert.is(await partitionCommand(['plan'], w.env), 0);
    const table = w.output();
    assert.match(table, /^host: 8 CPUs \(4 cores\), 2 NUMA nodes, 16GiB\nreserved for the host: CPUs 0,2,4,6, 1GiB\n2 partitions/);
    // SMT siblings on the fake host are (0,4) (1,5) (2,6) (3,7); each node gives its first core to the host.
    assert.match(table, /\np0\s+1,5\s+0\s+2\s+7\.5GiB/);
    assert.match(table, /\np1\s+3,7\s+1\s+2\s+7\.5GiB/);
    await partitionCommand(['plan', '--host', '128c/512GiB/2numa', '--count', '32'], w.env);
    const big = w.output();
    assert.match(big, /^host: 128 CPUs \(128 cores\), 2 NUMA nodes, 512GiB\n/);
    assert.is(big.split('\n').filter((l) => /^p\d\d /.test(l)).length, 32);
    await partitionCommand(['plan', '--host', '16c/64GiB', '--cpus', '4', '--memory', '8GiB', '--reserve-cpus', '0', '--prefix', 'node-'], w.env);
    assert.match(w.output(), /\nnode-0\s+0-3\s+0\s+4\s+8GiB[\s\S]*\nnode-3\s+12-15/);
  } finally {
    w.remove();
  }
});

test('create two partitions: cgroups, configs, state; list and show them', async () => {
  const w = world();
  try {
    await partitionCommand(['create', 'a', '--cpus', '0-1', '--memory', '2GiB'], w.env);
    await partitionCommand(['create', 'b', '--cpus', '2-3', '--memory', '3GiB', '--pids', '2000', '--mode', 'refuse'], w.env);
    assert.match(w.output(), /^a: created: CPUs 0-1, mems 0, memory 2GiB, pids \d+, cgroup \/metassembly.slice\/a \(v2\)\n(  a: io: .*\n)?/);
    const cg = (p: string) => readFileSync(join(w.env.cgroupRoot, 'metassembly.slice', p), 'utf8');
    assert.is(cg('a/cpuset.cpus'), '0-1');
    assert.is(cg('b/cpuset.cpus'), '2-3');
    // CPUs 2-3 are on node 1 of the fake host: mems follow the CPUs.
    assert.is(cg('b/cpuset.mems'), '1');
    assert.is(cg('b/memory.max'), String(3 * 2 ** 30));
    assert.is(cg('b/pids.max'), '2000');
    // The pods' share: the operator's pids less a quarter for the daemons, memory less the system reserve.
    assert.is(cg('b/.pods/pids.max'), '1500');
    assert.is(cg('b/.pods/memory.max'), String(3 * 2 ** 30 - 307 * 2 ** 20));

    const state = parsePartitionState(readFileSync(join(w.env.dirs.stateDir, 'b.json'), 'utf8'), 'b.json');
    assert.is(state.mode, 'refuse');
    assert.equal(state.cgroup, { version: 2, root: w.env.cgroupRoot, path: '/metassembly.slice/b', systemProcs: [join(w.env.cgroupRoot, 'metassembly.slice/b/.system/cgroup.procs')] });

    // The generated configs parse, and say what the partition's containerd and shim need.
    const containerd = parseToml(readFileSync(state.paths.containerdConfig, 'utf8'));
    assert.is(containerd.root, join(w.env.dirs.stateDir, 'b', 'containerd'));
    assert.is(containerd.state, join(w.env.dirs.runDir, 'b', 'containerd'));
    assert.equal(containerd.grpc, { address: join(w.env.dirs.runDir, 'b', 'containerd.sock') });
    const cri = (containerd.plugins as Record<string, any>)['io.containerd.grpc.v1.cri'].containerd;
    assert.is(cri.default_runtime_name, 'metassembly');
    assert.equal(cri.runtimes.metassembly, { runtime_type: 'io.containerd.metassembly.v2', options: { ConfigPath: state.paths.shimConfig } });
    const shim = parseToml(readFileSync(state.paths.shimConfig, 'utf8'));
    assert.equal(shim, {
      runtime: { root: join(w.env.dirs.runDir, 'b', 'runc') },
      partition: { name: 'b', cgroup_parent: '/metassembly.slice/b/.pods', mode: 'refuse', cpus: '2-3', mems: '1', memory_max: 3 * 2 ** 30 - 307 * 2 ** 20, pids_max: 1500 },
    });
    const kubelet = readFileSync(state.paths.kubeletConfig, 'utf8');
    assert.match(kubelet, /\ncgroupDriver: cgroupfs\ncgroupRoot: \/metassembly.slice\/b\/.pods\n/);
    assert.match(kubelet, new RegExp(`\\ncontainerRuntimeEndpoint: unix://${join(w.env.dirs.runDir, 'b', 'containerd.sock')}\\n`));
    assert.match(kubelet, new RegExp(`\\nmaxPods: ${state.spec.kubelet.maxPods}\\n`));
    assert.not.match(kubelet, /failCgroupV1/);

    w.output();
    await partitionCommand(['list'], w.env);
    const list = w.output();
    assert.match(list, /^NAME\s+CPUS\s+MEMS\s+MEMORY/);
    assert.match(list, /\na\s+0-1\s+0\s+2GiB\s+\d+\s+\d+\s+clamp\s+\/metassembly.slice\/a\s+0 pods, 0 processes\n/);
    assert.match(list, /\nb\s+2-3\s+1\s+3GiB\s+2000\s+\d+\s+refuse/);
    await partitionCommand(['show', 'b'], w.env);
    const shown = JSON.parse(w.output());
    assert.equal(shown.live, { present: true, pods: [], pids: [] });
    assert.is(shown.spec.cpus, '2-3');
  } finally {
    w.remove();
  }
});

test('create is idempotent: the same spec again re-reads the state, a lost cgroup is restored from it', async () => {
  const w = world();
  try {
    await partitionCommand(['create', 'a', '--cpus', '0-1', '--memory', '2GiB'], w.env);
    const stateFile = join(w.env.dirs.stateDir, 'a.json');
    const first = readFileSync(stateFile, 'utf8');
    w.output();
    await partitionCommand(['create', 'a', '--cpus', '0-1', '--memory', '2GiB'], w.env);
    assert.match(w.output(), /^a: exists with the same spec \(.*a\.json\); cgroup present\n$/);
    assert.is(readFileSync(stateFile, 'utf8'), first, 'state not rewritten (createdAt kept)');
    // As after a reboot: the cgroup is gone, the state is not.
    rmSync(join(w.env.cgroupRoot, 'metassembly.slice'), { recursive: true });
    await partitionCommand(['list'], w.env);
    assert.match(w.output(), /cgroup missing: create again to restore/);
    await partitionCommand(['create', 'a', '--cpus', '0-1', '--memory', '2GiB'], w.env);
    assert.match(w.output(), /cgroup restored/);
    assert.is(readFileSync(join(w.env.cgroupRoot, 'metassembly.slice/a/cpuset.cpus'), 'utf8'), '0-1');
    assert.is(readFileSync(stateFile, 'utf8'), first);
  } finally {
    w.remove();
  }
});

test('create --count makes the plan on this host, in one validated batch', async () => {
  const w = world();
  try {
    await partitionCommand(['create', '--count', '2', '--reserve-cpus', '0', '--reserve-memory', '2GiB', '--prefix', 'n'], w.env);
    assert.equal(readdirSync(w.env.dirs.stateDir).filter((f) => f.endsWith('.json')).sort(), ['n0.json', 'n1.json']);
    assert.is(readFileSync(join(w.env.cgroupRoot, 'metassembly.slice/n0/cpuset.cpus'), 'utf8'), '0-1,4-5');
    assert.is(readFileSync(join(w.env.cgroupRoot, 'metassembly.slice/n1/cpuset.mems'), 'utf8'), '1');
    assert.is(readFileSync(join(w.env.cgroupRoot, 'metassembly.slice/n1/memory.max'), 'utf8'), String(7 * 2 ** 30));
    // The same plan again is the same partitions.
    await partitionCommand(['create', '--count', '2', '--reserve-cpus', '0', '--reserve-memory', '2GiB', '--prefix', 'n'], w.env);
    assert.match(w.output(), /n0: exists with the same spec[\s\S]*n1: exists with the same spec/);
  } finally {
    w.remove();
  }
});

test('bad input: a clear error and nothing changed', async () => {
  const w = world();
  try {
    await partitionCommand(['create', 'a', '--cpus', '3,7', '--memory', '4GiB'], w.env);
    await fails(w, ['create', 'b', '--cpus', '2-3', '--memory', '1GiB'], InvalidArgumentError, /^partition b: CPUs 3 are already partition a's \(CPUs 3,7\)$/);
    await fails(w, ['create', 'b', '--cpus', '8-9', '--memory', '1GiB'], InvalidArgumentError, /CPUs 8-9 are not online on this host \(it has 0-7\)/);
    await fails(w, ['create', 'b', '--cpus', '2', '--memory', '17GiB'], InvalidArgumentError, /memory 17GiB is more than the host has \(16GiB\)/);
    await fails(w, ['create', 'b', '--cpus', '2', '--memory', '13GiB'], InvalidArgumentError, /partitions would hold 17GiB of memory, more than the host's 16GiB \(a 4GiB, b 13GiB\)/);
    await fails(w, ['create', 'b', '--cpus', '2', '--memory', '1GiB', '--mems', '3'], InvalidArgumentError, /memory nodes 3 are not on this host/);
    await fails(w, ['create', 'b', '--cpus', '2', '--memory', '100MiB'], InvalidArgumentError, /below the 512MiB a kubelet and its pods need/);
    await fails(w, ['create', 'B_1', '--cpus', '2', '--memory', '1GiB'], InvalidArgumentError, /partition name "B_1"/);
    await fails(w, ['create', 'b', '--cpus', '2', '--memory', '1GiB', '--mode', 'lax'], InvalidArgumentError, /--mode must be clamp or refuse/);
    await fails(w, ['create', 'b', '--cpus', '2'], InvalidArgumentError, /needs --cpus LIST and --memory SIZE/);
    await fails(w, ['create', 'a', '--cpus', '3,7', '--memory', '3GiB'], AlreadyExistsError, /partition a exists with CPUs 3,7, mems 1, memory 4GiB, mode clamp; delete it first/);
    // A batch is all or nothing: the plan's second partition overlaps a, so the first is not made either.
    await fails(w, ['create', '--count', '2', '--reserve-cpus', '0', '--reserve-memory', '4GiB'], InvalidArgumentError, /^partition p1: CPUs 3,7 are already partition a's/);
    await fails(w, ['show', 'zz'], NotFoundError, /^no partition named "zz" \(partitions: a\)$/);
    await fails(w, ['delete', 'zz'], NotFoundError, /no partition named "zz"/);
    await fails(w, ['plan', '--count', '0'], InvalidArgumentError, /above 0/);
    await fails(w, ['plan', '--count', '2', '--cpus', '2'], InvalidArgumentError, /not both/);
    await fails(w, ['plan', '--bogus'], InvalidArgumentError, /Unknown option '--bogus'[\s\S]*usage:/);
    await fails(w, ['frobnicate'], InvalidArgumentError, /unknown partition command "frobnicate"/);
  } finally {
    w.remove();
  }
});

test('delete refuses while the partition has processes or pods, and changes nothing', async () => {
  const w = world();
  try {
    await partitionCommand(['create', 'a', '--cpus', '0-1', '--memory', '2GiB'], w.env);
    writeFileSync(join(w.env.cgroupRoot, 'metassembly.slice/a/.system/cgroup.procs'), '4242\n');
    writeFileSync(join(w.env.cgroupRoot, 'metassembly.slice/a/cgroup.procs'), '');
    mkdirSync(join(w.env.cgroupRoot, 'metassembly.slice/a/.pods/pod1'));
    await fails(w, ['delete', 'a'], FailedPreconditionError, /^partition a still has 1 pod cgroup \(pod1\) and 1 process \(4242\); stop its pods and its containerd first, or delete with --force/);
  } finally {
    w.remove();
  }
});

test.run();
