/** Described hosts, and the real topology read from sysfs/procfs trees (a temp one and this machine's). */
import { cpus as osCpus } from 'node:os';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidArgumentError } from '../../../src/errors';
import { GiB, describeHost, physicalCores, readTopology } from '../../../src/partitions';
import { fakeHost } from './fake-host';

test('128c/512GiB/2numa: 128 CPUs, one thread each, half on each node with half the memory', () => {
  const host = describeHost('128c/512GiB/2numa');
  assert.is(host.cpus.length, 128);
  assert.is(host.memoryBytes, 512 * GiB);
  assert.equal(host.numaNodes.map((n) => [n.id, n.memoryBytes, n.cpus.length, n.cpus[0], n.cpus.at(-1)]), [
    [0, 256 * GiB, 64, 0, 63],
    [1, 256 * GiB, 64, 64, 127],
  ]);
  assert.equal(host.cpus[64], { id: 64, core: 64, socket: 1, numaNode: 1 });
  assert.is(physicalCores(host).length, 128);
});

test('SMT: siblings are numbered as on x86 (i and i+N) and grouped into one core', () => {
  const host = describeHost('8c/32GiB/2smt');
  assert.is(host.cpus.length, 16);
  const cores = physicalCores(host);
  assert.is(cores.length, 8);
  assert.equal(cores[0]!.cpus, [0, 8]);
  assert.equal(cores[7]!.cpus, [7, 15]);
});

test('optional parts in any order; sockets default to one per node', () => {
  const host = describeHost('4numa/64c/1TiB/2s');
  assert.is(host.numaNodes.length, 4);
  assert.equal([...new Set(host.cpus.map((c) => c.socket))], [0, 1]);
  assert.is(host.cpus.find((c) => c.numaNode === 3)!.socket, 1);
});

test('bad host words are refused with the expected form', () => {
  for (const word of ['512GiB', '128c', '0c/1GiB', '10c/1GiB/3numa', '8c/1GiB/4numa/3s', '8c/lots']) {
    assert.throws(() => describeHost(word), (err: Error) => err instanceof InvalidArgumentError && /128c\/512GiB\/2numa|host memory/.test(err.message), word);
  }
});

test('readTopology: cpus with cores, sockets and nodes; node memory from the nodes', () => {
  const root = fakeHost();
  try {
    const host = readTopology(root);
    assert.is(host.memoryBytes, 16 * GiB);
    assert.equal(host.numaNodes, [
      { id: 0, memoryBytes: 8 * GiB, cpus: [0, 1, 4, 5] },
      { id: 1, memoryBytes: 8 * GiB, cpus: [2, 3, 6, 7] },
    ]);
    assert.equal(physicalCores(host).map((c) => c.cpus), [[0, 4], [1, 5], [2, 6], [3, 7]]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('readTopology: a missing file is a clear error naming it', () => {
  const root = fakeHost();
  try {
    rmSync(join(root, 'sys/devices/system/cpu/cpu3/topology/core_id'));
    assert.throws(() => readTopology(root), /cpu3\/topology\/core_id/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("this machine's topology: every online CPU, at least one node, memory from /proc/meminfo", () => {
  const host = readTopology();
  assert.is(host.cpus.length, osCpus().length);
  assert.ok(host.numaNodes.length >= 1);
  assert.equal(host.numaNodes.flatMap((n) => n.cpus).sort((a, b) => a - b), host.cpus.map((c) => c.id));
  assert.ok(host.memoryBytes > 256 * 1024 * 1024);
});

test.run();
