import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WireLong, bigintOf, i64, u64 } from '../../../src/wire/wire-long';
import { cgroupsV2 } from '../../../src/wire/metrics';

const rangeError = (e: unknown) => e instanceof RangeError;

test('u64 keeps every bit, up to 2^64-1', () => {
  for (const v of [0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
    assert.is(u64(v).toBigInt(), v);
    assert.is(u64(v.toString()).toBigInt(), v);
  }
  assert.is(u64(42).toString(), '42');
});

test('i64 keeps negative values', () => {
  for (const v of [-1n, -(2n ** 63n), 2n ** 63n - 1n]) assert.is(i64(v).toBigInt(), v);
});

test('values that would break silently are RangeErrors', () => {
  assert.throws(() => u64(-1n), rangeError);
  assert.throws(() => u64(2n ** 64n), rangeError);
  assert.throws(() => u64(2 ** 64), rangeError, 'a rounded double');
  assert.throws(() => u64(2 ** 53 + 2), rangeError, 'an unsafe integer');
  assert.throws(() => u64(1.5), rangeError);
  assert.throws(() => u64('0x10'), rangeError);
  assert.throws(() => i64(2n ** 63n), rangeError);
  assert.throws(() => WireLong.fromString('18446744073709551616'), rangeError);
});

test('bigintOf reads WireLong, plain {low, high}, numbers and strings', () => {
  assert.is(bigintOf(new WireLong(-1, -1, true)), 2n ** 64n - 1n);
  assert.is(bigintOf(new WireLong(-1, -1, false)), -1n);
  assert.is(bigintOf({ low: 0, high: 1, unsigned: true }), 2n ** 32n);
  assert.is(bigintOf(7), 7n);
  assert.is(bigintOf('8'), 8n);
});

test('decoded 64-bit fields are WireLong, including defaults', () => {
  const decoded = cgroupsV2.PidsStat.decode(cgroupsV2.PidsStat.encode({ current: u64(2n ** 60n) }).finish());
  assert.instance(decoded.current, WireLong);
  assert.is(bigintOf(decoded.current), 2n ** 60n);
  assert.is(bigintOf(decoded.limit), 0n);
});

test.run();
