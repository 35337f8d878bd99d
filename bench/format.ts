/** Number formatting shared by the reports. Pure. */
import type { Summary } from './stats';
import type { Unit } from './results-model';

export function num(v: number, unit: Unit): string {
  if (unit === 'MiB') return v.toFixed(2);
  return Math.abs(v) < 10 ? v.toFixed(2) : Math.abs(v) < 100 ? v.toFixed(1) : v.toFixed(0);
}

/** `median unit (p10–p90, n)`, or the bare value for a single sample. */
export function cell(s: Summary | undefined, unit: Unit): string {
  if (!s) return '—';
  const median = `${num(s.median, unit)} ${unit}`;
  return s.n === 1 ? median : `${median} (${num(s.p10, unit)}–${num(s.p90, unit)}, n=${s.n})`;
}

/** Only between positive medians: a ratio to a shrinking figure (containerd's RSS can) means nothing. */
export function ratio(a: Summary | undefined, b: Summary | undefined): number | undefined {
  return a && b && a.median > 0 && b.median > 0 ? a.median / b.median : undefined;
}

export function times(r: number | undefined): string {
  return r === undefined ? '—' : `${r.toFixed(2)}×`;
}
