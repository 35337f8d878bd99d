/**
 * bench/profile-start.sh: where the time of the shim's `start` and `delete` goes, against
 * Node's own start-up, on a private containerd 1.6 whose group shims run (one anchor
 * container per runtime). Writes bench/results/profile.md; bench/PROFILE.md reads it.
 *
 * PROFILE_RUNS (default 30) timed runs per execution; PROFILE_BASELINE=<an earlier build of
 * the executable> adds it to the comparison; PROFILE_OUT the report's path.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { leakCheck, makeScratchDir, removeScratchDir, repoRoot, startContainerd } from '../../test/e2e/harness';
import { startAnchors, stopAnchors } from '../group-anchors';
import { describeMachine } from '../machine';
import { runtimesFor } from '../runtimes';
import { hotFunctions } from './cpu-profile';
import { bareJob, deleteJob, startJob, type Executable, type JobContext } from './jobs';
import { collectMarks } from './marks';
import { perfRuns, type PerfJob } from './perf-runs';
import { renderProfile } from './report';
import { buildSea, floorBundle, marksBundle, node24, readBundle, snapshotBundle } from './sea-variants';

const namespace = `mprof${process.pid}`;
const shimDir = join(repoRoot, 'dist');
const runs = Number(process.env.PROFILE_RUNS || 30);
const out = process.env.PROFILE_OUT || join(repoRoot, 'bench', 'results', 'profile.md');

function say(text: string): void {
  console.log(`[profile] ${text}`);
}

interface Variants {
  floor: string;
  noCodeCache: string;
  snapshot: string | Error;
  marks: string;
  cpuProf: { exe: string; dir: string };
}

function buildVariants(dir: string): Variants {
  const text = readBundle();
  say('building the single-executable variants (a few seconds each)');
  let snapshot: string | Error;
  try {
    snapshot = buildSea(join(dir, 'snapshot'), snapshotBundle(text), { useCodeCache: false, useSnapshot: true });
  } catch (err) {
    snapshot = err as Error;
  }
  const cpuDir = join(dir, 'cpuprofiles');
  return {
    floor: buildSea(join(dir, 'floor'), floorBundle(text), { useCodeCache: true }),
    noCodeCache: buildSea(join(dir, 'no-code-cache'), text, { useCodeCache: false }),
    snapshot,
    marks: buildSea(join(dir, 'marks'), marksBundle(text), { useCodeCache: true }),
    cpuProf: {
      exe: buildSea(join(dir, 'cpu-prof'), text, { useCodeCache: true, execArgv: ['--cpu-prof', `--cpu-prof-dir=${cpuDir}`, '--cpu-prof-interval=50'] }),
      dir: cpuDir,
    },
  };
}

/** Runs job n times under the --cpu-prof variant and folds the profiles. */
function cpuProfile(job: PerfJob, dir: string, n: number): ReturnType<typeof hotFunctions> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    job.prepare?.();
    spawnSync(job.file, job.args, { cwd: job.cwd, env: job.env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return hotFunctions(dir, 30);
}

async function main(): Promise<void> {
  const check = leakCheck({ namespace });
  const loadStart = loadavg()[0]!;
  const scratch = makeScratchDir();
  const cd = await startContainerd({ version: '1.6', shimDir, namespace });
  try {
    const runtimes = runtimesFor(cd, shimDir);
    const variants = buildVariants(join(scratch, 'variants'));
    const anchors = await startAnchors(cd, runtimes);
    try {
      const ctx: JobContext = { cd, dir: join(scratch, 'bundles') };
      mkdirSync(ctx.dir);
      const ours: Executable[] = [
        { label: 'ours, dist/ (single executable, code cache)', file: runtimes.ours.shimBinary },
        ...(process.env.PROFILE_BASELINE ? [{ label: `baseline ${process.env.PROFILE_BASELINE}`, file: process.env.PROFILE_BASELINE }] : []),
        { label: 'ours, without the code cache', file: variants.noCodeCache },
        ...(typeof variants.snapshot === 'string' ? [{ label: 'ours, startup snapshot (useSnapshot)', file: variants.snapshot }] : []),
        { label: 'ours, plain node24 on build/ (no bundle)', file: node24, args: [join(repoRoot, 'build', 'shim', 'launcher.js')] },
      ];
      const runc: Executable = { label: 'runc-v2', file: runtimes.runc.shimBinary };
      const jobs: PerfJob[] = [
        bareJob('bare: node24 -e 0', node24, ['-e', '0']),
        bareJob('bare: single executable, same bundle returning at once', variants.floor, []),
        bareJob('bare: runc-v2 -v', runtimes.runc.shimBinary, ['-v']),
        ...ours.map((exe) => startJob(ctx, runtimes.ours, anchors.ours, exe)),
        startJob(ctx, runtimes.runc, anchors.runc, runc),
        ...ours.map((exe) => deleteJob(ctx, runtimes.ours, exe)),
        deleteJob(ctx, runtimes.runc, runc),
      ];
      say(`${jobs.length} executions × ${runs}, under perf stat`);
      const timings = perfRuns(jobs, runs, scratch);
      const markedStart = startJob(ctx, runtimes.ours, anchors.ours, { label: 'marks', file: variants.marks });
      const markedDelete = deleteJob(ctx, runtimes.ours, { label: 'marks', file: variants.marks });
      say('timing marks and CPU profiles');
      const marks = { start: collectMarks(markedStart, 20), delete: collectMarks(markedDelete, 20) };
      const prof = (job: PerfJob): ReturnType<typeof hotFunctions> => cpuProfile({ ...job, file: variants.cpuProf.exe }, variants.cpuProf.dir, 12);
      const cpu = { start: prof(markedStart), delete: prof(markedDelete) };
      const report = renderProfile({
        date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        machine: describeMachine(node24, shimDir),
        load: { start: loadStart, end: loadavg()[0]! },
        containerd: cd.version.version,
        runs,
        timings,
        marks,
        cpu,
        snapshotError: typeof variants.snapshot === 'string' ? undefined : variants.snapshot.message,
      });
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, report);
      console.log(report);
      say(`wrote ${out}`);
    } finally {
      await stopAnchors(cd, anchors, []);
    }
  } finally {
    await cd.stop();
    removeScratchDir(scratch);
    const leaks = check.leaks();
    if (leaks.length > 0) say(`left behind and removed: ${leaks.join('; ')}`);
    await check.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
