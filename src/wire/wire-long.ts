/**
 * Exact int64/uint64 values. protobufjs keeps a 64-bit field as its two 32-bit halves
 * (`Long`: {low, high, unsigned}); this class is the one src/wire/runtime.ts installs, so every
 * 64-bit field decodes into a WireLong and is never rounded through a double.
 *
 * What callers pass to `encode` for a 64-bit field: a WireLong (from u64/i64), a decimal string,
 * or a number that is a safe integer. A number above 2^53 is already rounded, and 2^64 itself
 * wraps to 0 on the wire, so values that may be large (cgroup "max", byte counters) go through
 * u64(bigint) or a string. Never a bigint directly: protobufjs writes a bigint as 0.
 */
import type { Long } from 'protobufjs';

const TWO_64 = 1n << 64n;
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;

export class WireLong implements Long {
  constructor(
    public low: number,
    public high: number,
    public unsigned: boolean,
  ) {}

  /** protobufjs builds decoded values and field defaults through this. */
  static fromBits(low: number, high: number, unsigned?: boolean): WireLong {
    return new WireLong(low | 0, high | 0, Boolean(unsigned));
  }

  /** protobufjs calls this when a decimal string is written to a 64-bit field. */
  static fromString(text: string, unsigned?: boolean): WireLong {
    return bitsOf(parseDecimal(text), Boolean(unsigned));
  }

  toBigInt(): bigint {
    const bits = (BigInt(this.high >>> 0) << 32n) | BigInt(this.low >>> 0);
    return this.unsigned ? bits : BigInt.asIntN(64, bits);
  }

  toString(): string {
    return this.toBigInt().toString();
  }
}

/** A uint64 field value; RangeError outside [0, 2^64) or for a number that is not a safe integer. */
export function u64(value: bigint | number | string): WireLong {
  const v = toExactBigInt(value);
  if (v < 0n || v >= TWO_64) throw new RangeError(`${value} is outside the uint64 range`);
  return bitsOf(v, true);
}

/** An int64 field value; RangeError outside [-2^63, 2^63) or for a number that is not a safe integer. */
export function i64(value: bigint | number | string): WireLong {
  const v = toExactBigInt(value);
  if (v < MIN_I64 || v > MAX_I64) throw new RangeError(`${value} is outside the int64 range`);
  return bitsOf(v, false);
}

/** The exact value of a decoded (or to-be-encoded) 64-bit field; absent reads as 0, as in proto3. */
export function bigintOf(value: Long | number | string | null | undefined): bigint {
  if (value == null) return 0n;
  if (value instanceof WireLong) return value.toBigInt();
  if (typeof value === 'object') return new WireLong(value.low, value.high, value.unsigned).toBigInt();
  return toExactBigInt(value);
}

function toExactBigInt(value: bigint | number | string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string') return parseDecimal(value);
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer; pass a bigint or a string`);
  return BigInt(value);
}

/** Decimal only: BigInt() alone would also take "0x10", "" and surrounding blanks. */
function parseDecimal(text: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new RangeError(`"${text}" is not a decimal integer`);
  const v = BigInt(text);
  if (v < MIN_I64 || v >= TWO_64) throw new RangeError(`${text} does not fit in 64 bits`);
  return v;
}

function bitsOf(value: bigint, unsigned: boolean): WireLong {
  const bits = BigInt.asUintN(64, value);
  return new WireLong(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0, unsigned);
}
