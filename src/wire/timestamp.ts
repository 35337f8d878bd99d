/**
 * google.protobuf.Timestamp helpers. Every codec module carries its own Timestamp class, all
 * with this shape, so these work on any of them.
 */
import type { Long } from 'protobufjs';
import { bigintOf, i64, type WireLong } from './wire-long';

/** A Timestamp as decoded or as passed to encode; absent fields are zero. */
export interface TimestampLike {
  seconds?: Long | number | string | null;
  nanos?: number | null;
}

export interface WireTimestamp {
  seconds: WireLong;
  nanos: number;
}

const NS_PER_S = 1_000_000_000n;

export function timestampFromDate(date: Date): WireTimestamp {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid Date');
  const seconds = Math.floor(ms / 1000);
  return { seconds: i64(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Millisecond precision, as a Date has; use nanosFromTimestamp for the exact value. */
export function dateFromTimestamp(ts: TimestampLike): Date {
  return new Date(Number(nanosFromTimestamp(ts) / 1_000_000n));
}

/** From nanoseconds since the epoch, e.g. the reaper's exit time. */
export function timestampFromNanos(ns: bigint): WireTimestamp {
  // Floor division: protobuf wants 0 <= nanos < 1e9 even before 1970.
  let seconds = ns / NS_PER_S;
  let nanos = ns % NS_PER_S;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += NS_PER_S;
  }
  return { seconds: i64(seconds), nanos: Number(nanos) };
}

export function nanosFromTimestamp(ts: TimestampLike): bigint {
  const seconds = ts.seconds == null ? 0n : bigintOf(ts.seconds);
  return seconds * NS_PER_S + BigInt(ts.nanos ?? 0);
}
