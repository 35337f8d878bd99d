/** Byte sizes as people write them ("4GiB", "512G", "1.5GiB", "800MiB", "1073741824") and back. Pure. */
import { InvalidArgumentError } from '../errors';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: MiB,
  mb: 1000 ** 2,
  mib: MiB,
  g: GiB,
  gb: 1000 ** 3,
  gib: GiB,
  t: 1024 * GiB,
  tb: 1000 ** 4,
  tib: 1024 * GiB,
};

/** Bare K/M/G/T are binary (as kubelet's Ki/Mi/Gi and most tools' shorthand); kB/MB/GB decimal. */
export function parseSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new InvalidArgumentError(`${what} ${JSON.stringify(text)}: expected a number with an optional unit (KiB, MiB, GiB, TiB, or K/M/G/T)`);
  }
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new InvalidArgumentError(`${what} ${JSON.stringify(text)} is too large`);
  return bytes;
}

/** The largest binary unit that keeps at most one decimal: "16GiB", "1.5GiB", "800MiB". */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [['TiB', 1024 * GiB], ['GiB', GiB], ['MiB', MiB], ['KiB', 1024]] as const) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)}${unit}`;
    }
  }
  return `${bytes}B`;
}

/** Kubernetes quantity form for kubelet configs: whole Mi (rounded down). */
export function toMebiQuantity(bytes: number): string {
  return `${Math.floor(bytes / MiB)}Mi`;
}
