/** The targets of issue 6, each a bound on a ratio of two measured medians. */
import type { Metric, Place, VersionResult } from './results-model';

export interface Target {
  label: string;
  max: number;
  /** The numerator: our median of this metric. */
  metric: string;
  /** The denominator: this metric's median, measured there. */
  ref: { metric: string; place: Place };
  /** Targets on optional measurements are left out, not failed, when nothing was measured. */
  optional?: boolean;
}

export const targets: readonly Target[] = [
  { label: 'cold start ≤ 1.3× runc-v2', max: 1.3, metric: 'cold', ref: { metric: 'cold', place: 'runc' } },
  { label: 'warm start ≤ 0.9× runc-v2', max: 0.9, metric: 'warm', ref: { metric: 'warm', place: 'runc' } },
  // Ours grouped (the partition shim) against runc-v2's default of one shim per container.
  { label: 'shim PSS/container at 50 ≤ 0.5× runc-v2 default', max: 0.5, metric: 'pss-pod-50', ref: { metric: 'pss-default-50', place: 'runc' } },
  { label: 'shim PSS/container at 250 ≤ 0.1× runc-v2 default', max: 0.1, metric: 'pss-pod-250', ref: { metric: 'pss-default-250', place: 'runc' }, optional: true },
  { label: 'syscall loop ≤ 1.05× host', max: 1.05, metric: 'loop-syscall', ref: { metric: 'loop-syscall', place: 'host' } },
  { label: 'file I/O loop ≤ 1.05× host', max: 1.05, metric: 'loop-file', ref: { metric: 'loop-file', place: 'host' } },
];

export type Verdict = { target: Target; ratio: number | undefined; status: 'pass' | 'short' | 'not measured' };

function median(metrics: Metric[], id: string, place: Place): number | undefined {
  return metrics.find((m) => m.id === id)?.values[place]?.median;
}

export function judge(result: VersionResult): Verdict[] {
  const out: Verdict[] = [];
  for (const target of targets) {
    const ours = median(result.metrics, target.metric, 'ours');
    const ref = median(result.metrics, target.ref.metric, target.ref.place);
    const ratio = ours !== undefined && ref !== undefined && ours > 0 && ref > 0 ? ours / ref : undefined;
    if (ratio === undefined && target.optional) continue;
    out.push({ target, ratio, status: ratio === undefined ? 'not measured' : ratio <= target.max ? 'pass' : 'short' });
  }
  return out;
}
