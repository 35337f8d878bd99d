/** What a bench run produces: per containerd version, metrics measured on each side. */
import type { Summary } from './stats';
import type { Side } from './runtimes';

export type Unit = 'ms' | 'MiB';

/** Where a value was measured: one of the two runtimes, or directly on the host. */
export type Place = Side | 'host';

export interface Metric {
  id: string;
  label: string;
  unit: Unit;
  values: Partial<Record<Place, Summary>>;
}

export interface VersionResult {
  series: string;
  version: string;
  metrics: Metric[];
  /** Runs that failed, with the reason; their timings are left out of the metrics. */
  failures: string[];
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  cgroupMode: string;
  benchNode: string;
  shimNode: string;
  runc: string;
  shim: string;
}

export interface BenchResult {
  date: string;
  quick: boolean;
  durationS: number;
  /** The 1-minute load average when the run began and ended: other work on the machine is noise. */
  load: { start: number; end: number };
  machine: MachineInfo;
  settings: Record<string, unknown>;
  versions: VersionResult[];
  /** Leftovers the final leak check found (and removed). */
  leaks: string[];
}

export function metric(id: string, label: string, unit: Unit, values: Metric['values']): Metric {
  return { id, label, unit, values };
}
