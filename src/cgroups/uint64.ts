import type { Uint64 } from './metrics';

export const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The exact wire form of a uint64 (see `Uint64`). */
export function toUint64(value: bigint): Uint64 {
  return value <= MAX_SAFE ? Number(value) : value.toString();
}

/**
 * containerd/cgroups' parseUint: a decimal uint64; a negative number (v1 files
 * such as cpu.cfs_quota_us say -1 for "unlimited") reads as 0. Anything else,
 * including overflow, is not a number (undefined).
 */
export function parseUint(text: string): bigint | undefined {
  if (/^\d+$/.test(text)) {
    const value = BigInt(text);
    return value <= MAX_UINT64 ? value : undefined;
  }
  return /^-\d+$/.test(text) ? 0n : undefined;
}
