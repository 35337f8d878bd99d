import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dateFromTimestamp, nanosFromTimestamp, timestampFromDate, timestampFromNanos } from '../../../src/wire/timestamp';
import { bigintOf } from '../../../src/wire/wire-long';

test('Date round-trips at millisecond precision', () => {
  const d = new Date('2024-05-06T07:08:09.123Z');
  const ts = timestampFromDate(d);
  assert.is(bigintOf(ts.seconds), BigInt(Math.floor(d.getTime() / 1000)));
  assert.is(ts.nanos, 123_000_000);
  assert.is(dateFromTimestamp(ts).getTime(), d.getTime());
});

test('before 1970 nanos stay in [0, 1e9)', () => {
  const ts = timestampFromDate(new Date(-1));
  assert.is(bigintOf(ts.seconds), -1n);
  assert.is(ts.nanos, 999_000_000);
  const ns = timestampFromNanos(-1n);
  assert.is(bigintOf(ns.seconds), -1n);
  assert.is(ns.nanos, 999_999_999);
  assert.is(nanosFromTimestamp(ns), -1n);
});

test('nanosecond timestamps are exact', () => {
  const ns = 1_700_000_000_123_456_789n;
  const ts = timestampFromNanos(ns);
  assert.is(ts.nanos, 123_456_789);
  assert.is(nanosFromTimestamp(ts), ns);
});

test('absent fields read as the epoch', () => {
  assert.is(nanosFromTimestamp({}), 0n);
  assert.is(dateFromTimestamp({ seconds: null, nanos: null }).getTime(), 0);
});

test('an invalid Date is a RangeError', () => {
  assert.throws(() => timestampFromDate(new Date(NaN)), (e: unknown) => e instanceof RangeError);
});

test.run();
