/** bench/results/profile.md: the tables of one profile run. Pure. */
import { num } from '../format';
import type { MachineInfo } from '../results-model';
import type { Summary } from '../stats';
import type { HotFunction } from './cpu-profile';
import type { MarkSummary } from './marks';
import type { PerfFigures } from './perf-runs';

export interface ProfileResult {
  date: string;
  machine: MachineInfo;
  load: { start: number; end: number };
  containerd: string;
  runs: number;
  timings: PerfFigures[];
  marks: { start: MarkSummary; delete: MarkSummary };
  cpu: Record<'start' | 'delete', { perRunMs: number; runs: number; functions: HotFunction[] }>;
  snapshotError?: string;
}

const ms = (s: Summary | undefined): string => (s ? `${num(s.median, 'ms')} (${num(s.p10, 'ms')}–${num(s.p90, 'ms')})` : '—');

function timingTable(r: ProfileResult): string[] {
  const lines = ['| execution | wall ms | CPU ms (task-clock) | page faults |', '|---|---|---|---|'];
  for (const t of r.timings) {
    const failed = t.failures.length ? ` (${t.failures.length} failed: ${t.failures[0]!.replace(/\|/g, '\\|').slice(0, 120)})` : '';
    lines.push(`| ${t.label}${failed} | ${ms(t.wallMs)} | ${ms(t.cpuMs)} | ${t.pageFaults ? Math.round(t.pageFaults.median) : '—'} |`);
  }
  return lines;
}

const phaseNames: Record<string, string> = {
  nodeStart: 'node::Start reached',
  v8Start: 'V8 initialised',
  environment: 'environment created (from the snapshot)',
  bootstrapComplete: 'bootstrap complete',
  bundleStart: 'our bundle starts running',
  exit: 'process exit event',
};

function phaseTable(m: ProfileResult['marks']): string[] {
  const lines = ['| milestone (ms since Node\'s time origin) | start | delete |', '|---|---|---|'];
  for (const [i, p] of m.start.phases.entries()) {
    lines.push(`| ${phaseNames[p.phase] ?? p.phase} | ${p.atMs.toFixed(1)} | ${m.delete.phases[i]!.atMs.toFixed(1)} |`);
  }
  return lines;
}

function moduleTable(s: MarkSummary): string[] {
  if (s.modules.length === 0) return ['(no load of 0.1 ms or more)'];
  return ['| module (nested = loaded by the one above) | ms |', '|---|---|', ...s.modules.map((m) => `| ${'&nbsp;&nbsp;'.repeat(m.depth)}${m.name} | ${m.ms.toFixed(2)} |`)];
}

function hotTable(c: ProfileResult['cpu']['start']): string[] {
  return [
    `${c.runs} profiles, ${c.perRunMs.toFixed(1)} ms sampled per run (the profiler itself slows the run down; compare rows, not totals)`,
    '',
    '| function (inclusive of callees) | ms per run |',
    '|---|---|',
    ...c.functions.map((f) => `| \`${f.name}\` | ${f.inclusiveMs.toFixed(2)} |`),
  ];
}

export function renderProfile(r: ProfileResult): string {
  const m = r.machine;
  return [
    '# Profile of the shim\'s `start` and `delete`',
    '',
    `- Date: ${r.date}; containerd ${r.containerd} (private, debug level), each group's shim running`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; kernel ${m.kernel}`,
    `- Load average (1 min) at start / end: ${r.load.start.toFixed(2)} / ${r.load.end.toFixed(2)}`,
    `- Node ${m.shimNode}; shim under test: ${m.shim}`,
    `- Made by \`bash bench/profile-start.sh\`; bench/PROFILE.md explains the method and the findings.`,
    '',
    `## Executions (${r.runs} runs each, taking turns; median and 10th–90th percentile)`,
    '',
    'CPU time counts every thread of the process and no time spent waiting for a core, so it is',
    'the figure to compare on a shared machine.',
    ...(r.snapshotError ? ['', `The startup-snapshot variant could not be built: ${r.snapshotError.split('\n')[0]}`] : []),
    '',
    ...timingTable(r),
    '',
    '## Node\'s milestones in our single executable (medians of 20 runs of the instrumented build)',
    '',
    ...phaseTable(r.marks),
    '',
    '## Module loads, `start` (instrumented build, medians of 20 runs)',
    '',
    ...moduleTable(r.marks.start),
    '',
    '## Module loads, `delete`',
    '',
    ...moduleTable(r.marks.delete),
    '',
    '## CPU profile, `start` (--cpu-prof every 50 µs)',
    '',
    ...hotTable(r.cpu.start),
    '',
    '## CPU profile, `delete`',
    '',
    ...hotTable(r.cpu.delete),
    '',
  ].join('\n');
}
