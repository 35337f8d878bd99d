/**
 * The timing marks of the instrumented executable (sea-variants.ts marksBundle): Node's own
 * milestones and each module's load, as medians over several runs of one command.
 */
import { spawnSync } from 'node:child_process';
import { summarize } from '../stats';
import type { PerfJob } from './perf-runs';

interface MarkRun {
  /** Milliseconds since Node's time origin (process start). */
  phases: Record<'nodeStart' | 'v8Start' | 'environment' | 'bootstrapComplete' | 'bundleStart' | 'exit', number>;
  /** [depth, module id or builtin, ms, ms from the bundle's start] */
  modules: Array<[number, string, number, number]>;
}

export interface MarkSummary {
  runs: number;
  phases: Array<{ phase: string; atMs: number }>;
  /** Loads of at least 0.1 ms (median), in load order. */
  modules: Array<{ depth: number; name: string; ms: number }>;
}

function runMarked(job: PerfJob): MarkRun {
  job.prepare?.();
  const r = spawnSync(job.file, job.args, { cwd: job.cwd, env: job.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  const line = r.stderr.toString().split('\n').find((l) => l.startsWith('METAPROF '));
  if (r.status !== 0 || !line) throw new Error(`${job.label}: exit ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
  return JSON.parse(line.slice('METAPROF '.length)) as MarkRun;
}

const median = (values: number[]): number => summarize(values)!.median;

export function collectMarks(job: PerfJob, runs: number): MarkSummary {
  const all = Array.from({ length: runs }, () => runMarked(job));
  const phases = Object.keys(all[0]!.phases).map((phase) => ({
    phase,
    atMs: median(all.map((r) => r.phases[phase as keyof MarkRun['phases']])),
  }));
  const byKey = new Map<string, { depth: number; name: string; ms: number[]; at: number[] }>();
  for (const run of all) {
    for (const [depth, name, ms, at] of run.modules) {
      const key = `${depth} ${name}`;
      const entry = byKey.get(key) ?? { depth, name, ms: [], at: [] };
      entry.ms.push(ms);
      entry.at.push(at);
      byKey.set(key, entry);
    }
  }
  const modules = [...byKey.values()]
    .map((e) => ({ depth: e.depth, name: e.name, ms: median(e.ms), at: median(e.at) }))
    .filter((m) => m.ms >= 0.1)
    .sort((a, b) => a.at - b.at)
    .map(({ depth, name, ms }) => ({ depth, name, ms }));
  return { runs, phases, modules };
}
