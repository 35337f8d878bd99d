import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupsV1, cgroupsV2, packMetricsV1, packMetricsV2 } from '../../../src/wire/metrics';
import { bigintOf, u64 } from '../../../src/wire/wire-long';
import { bytes, hexOf } from './golden';

// v1's "unlimited" memory limit, 0x7ffffffffffff000: above 2^53.
const V1_UNLIMITED = 9223372036854771712n;
const MAX_U64 = (1n << 64n) - 1n;

test('v1 Metrics: memory(4).total_inactive_file(30) and memory.usage(33) MemoryEntry', () => {
  const value = packMetricsV1({
    memory: { totalInactiveFile: 5, usage: { limit: u64(V1_UNLIMITED), usage: 1000 } },
  });
  assert.is(value.typeUrl, 'io.containerd.cgroups.v1.Metrics');
  // MemoryEntry{limit:1 varint 0x7ffffffffffff000 = 80 e0 ff ff ff ff ff ff 7f, usage:2 1000 = e8 07}
  const entry = bytes('08 80e0ffffffffffff7f', '10 e807');
  // tag 30<<3|0 = 240 = f0 01; tag 33<<3|2 = 266 = 8a 02
  const memory = bytes('f001 05', '8a02 0d', entry);
  assert.is(hexOf(value.value), hexOf(bytes('22 13', memory)));

  const back = cgroupsV1.Metrics.decode(value.value);
  assert.is(bigintOf(back.memory!.usage!.limit), V1_UNLIMITED, 'decodes exactly above 2^53');
  assert.is(bigintOf(back.memory!.totalInactiveFile), 5n);
});

test('v1 Metrics: a decimal string encodes as exactly as u64()', () => {
  const a = cgroupsV1.Metrics.encode({ memory: { usage: { limit: '9223372036854771712' } } }).finish();
  const b = cgroupsV1.Metrics.encode({ memory: { usage: { limit: u64(V1_UNLIMITED) } } }).finish();
  assert.is(hexOf(a), hexOf(b));
});

test('v1 Metrics: cpu per_cpu is packed, hugetlb/pids/blkio round-trip', () => {
  const out = cgroupsV1.Metrics.encode({
    hugetlb: [{ usage: 1, max: 2, failcnt: 3, pagesize: '2MB' }],
    pids: { current: 4, limit: 0 },
    cpu: { usage: { total: 3, perCpu: [1, 2] }, throttling: { periods: 1 } },
    blkio: { ioServiceBytesRecursive: [{ op: 'Read', major: 8, minor: 0, value: 512 }] },
    memoryOomControl: { oomKill: 1 },
  }).finish();
  const back = cgroupsV1.Metrics.decode(out);
  assert.is(back.hugetlb[0]!.pagesize, '2MB');
  assert.is(bigintOf(back.pids!.current), 4n);
  assert.equal(back.cpu!.usage!.perCpu!.map(bigintOf), [1n, 2n]);
  assert.is(back.blkio!.ioServiceBytesRecursive![0]!.op, 'Read');
  assert.is(bigintOf(back.memoryOomControl!.oomKill), 1n);
  // CPUStat(3){usage:1 CPUUsage{total:1 3, per_cpu:4 packed [1,2]}, throttling:2 {periods:1 1}}
  const cpu = bytes('0a 06 08 03 22 02 01 02', '12 02 08 01');
  assert.ok(hexOf(out).includes(hexOf(bytes('1a 0c', cpu))));
});

test('v2 Metrics: pids(1) and memory(4).usage(32), usage_limit(33) = 2^64-1', () => {
  const value = packMetricsV2({ pids: { current: 1 }, memory: { usage: 4096, usageLimit: u64(MAX_U64) } });
  assert.is(value.typeUrl, 'io.containerd.cgroups.v2.Metrics');
  // tag 32<<3|0 = 256 = 80 02; 4096 = 80 20; tag 33<<3|0 = 264 = 88 02; 2^64-1 = ff x9 01
  const memory = bytes('8002 8020', '8802 ffffffffffffffffff01');
  assert.is(hexOf(value.value), hexOf(bytes('0a 02 08 01', '22 10', memory)));
  assert.is(bigintOf(cgroupsV2.Metrics.decode(value.value).memory!.usageLimit), MAX_U64);
  const asString = cgroupsV2.Metrics.encode({ pids: { current: 1 }, memory: { usage: 4096, usageLimit: MAX_U64.toString() } }).finish();
  assert.is(hexOf(asString), hexOf(value.value), 'a decimal string is exact too');
});

test('v2 Metrics: cpu psi (7), memory psi (38), io, hugetlb, memory_events round-trip', () => {
  const psi = { some: { avg10: 1.5, avg60: 0.25, avg300: 0, total: 77 }, full: { avg10: 0.5 } };
  const out = cgroupsV2.Metrics.encode({
    cpu: { usageUsec: 10, psi },
    memory: { inactiveFile: 2, psi },
    io: { usage: [{ major: 8, minor: 16, rbytes: 1 }], psi },
    hugetlb: [{ current: 1, max: 2, pagesize: '1GB' }],
    memoryEvents: { oomKill: 3 },
  }).finish();
  const back = cgroupsV2.Metrics.decode(out);
  assert.is(back.cpu!.psi!.some!.avg10, 1.5);
  assert.is(bigintOf(back.cpu!.psi!.some!.total), 77n);
  assert.is(back.memory!.psi!.full!.avg10, 0.5);
  assert.is(bigintOf(back.io!.usage![0]!.minor), 16n);
  assert.is(back.hugetlb[0]!.pagesize, '1GB');
  assert.is(bigintOf(back.memoryEvents!.oomKill), 3n);
  // CPUStat{usage_usec:1 10, psi:7 {...}}: the psi tag is 3a
  assert.ok(hexOf(out).startsWith(hexOf(bytes('12'))), 'cpu is field 2');
  assert.ok(hexOf(out).includes('080a3a'), 'usage_usec then psi(7)');
});

test.run();
