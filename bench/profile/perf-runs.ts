/**
 * Short-lived commands timed by `perf stat`: the wall time from fork to exit, the CPU time of
 * all the process's threads (task-clock) and its page faults. The jobs take turns, one run
 * each per round, so drifting load hits them alike; CPU time is the figure to compare on a
 * shared machine, since waiting for a core does not count in it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, type Summary } from '../stats';

export interface PerfJob {
  label: string;
  file: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run before each timed execution, untimed (e.g. a fresh bundle directory). */
  prepare?: () => void;
  /** Whether the output is what this job must print (e.g. the running shim's address). */
  check?: (stdout: string) => boolean;
}

export interface PerfFigures {
  label: string;
  wallMs: Summary | undefined;
  cpuMs: Summary | undefined;
  pageFaults: Summary | undefined;
  failures: string[];
}

interface Sample {
  wallMs: number;
  cpuMs: number;
  pageFaults: number;
}

function field(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  if (!m) throw new Error(`perf stat output without ${pattern}: ${text.slice(0, 300)}`);
  return Number(m[1]!.replace(/,/g, ''));
}

function runOnce(job: PerfJob, out: string): Sample | string {
  job.prepare?.();
  const r = spawnSync('perf', ['stat', '-o', out, '-e', 'task-clock,page-faults', '--', job.file, ...job.args], {
    cwd: job.cwd,
    env: job.env ?? process.env,
    // stdout a pipe, as containerd reads it
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  const stdout = r.stdout?.toString() ?? '';
  if (r.status !== 0 || (job.check && !job.check(stdout))) {
    return `exit ${r.status ?? r.signal}: ${(r.stderr?.toString() || stdout).trim().slice(0, 300)}`;
  }
  const text = readFileSync(out, 'utf8');
  return {
    wallMs: field(text, /([\d.]+) seconds time elapsed/) * 1000,
    cpuMs: field(text, /([\d.,]+)\s+msec task-clock/),
    pageFaults: field(text, /([\d,]+)\s+page-faults/),
  };
}

/** rounds timed runs of every job, after one untimed warm-up round. */
export function perfRuns(jobs: PerfJob[], rounds: number, scratch: string): PerfFigures[] {
  const out = join(scratch, 'perf-stat.txt');
  const samples = jobs.map(() => [] as Sample[]);
  const failures = jobs.map(() => [] as string[]);
  for (let round = -1; round < rounds; round++) {
    for (let k = 0; k < jobs.length; k++) {
      const i = (Math.max(round, 0) + k) % jobs.length;
      const result = runOnce(jobs[i]!, out);
      if (typeof result === 'string') failures[i]!.push(result);
      else if (round >= 0) samples[i]!.push(result);
    }
  }
  rmSync(out, { force: true });
  return jobs.map((job, i) => ({
    label: job.label,
    wallMs: summarize(samples[i]!.map((s) => s.wallMs)),
    cpuMs: summarize(samples[i]!.map((s) => s.cpuMs)),
    pageFaults: summarize(samples[i]!.map((s) => s.pageFaults)),
    failures: failures[i]!,
  }));
}
