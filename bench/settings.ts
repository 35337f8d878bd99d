/**
 * What one bench run measures and how often, from the environment. BENCH_QUICK=1 shrinks
 * every count for a smoke run of a couple of minutes; any single count can be overridden.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../src/errors';
import { allSeries, repoRoot, type ContainerdSeries } from '../test/e2e/harness';

export interface Settings {
  quick: boolean;
  versions: ContainerdSeries[];
  /** Where containerd finds containerd-shim-metassembly-v2. */
  shimDir: string;
  coldRuns: number;
  warmRuns: number;
  /** Container counts at which shim memory is sampled; the largest is the batch size. */
  memoryAt: number[];
  /** Concurrency of the parallel batch. */
  parallel: number;
  /** Direct executions of the shim's `start` and `delete`, and of the bare start-ups. */
  execRuns: number;
  /** Repetitions of the in-container loops (each one container per runtime plus the host). */
  loopRuns: number;
  /** Iterations of the one-byte dd (two syscalls each). */
  syscallLoopBytes: number;
  /** MiB written and read back by the file I/O loop, in rounds of 32 MiB. */
  fileLoopMiB: number;
  /** The wide memory point's container count (bench/wide-point.ts). */
  wideAt: number;
  /** The containerd series the wide point runs on; none at all when empty. */
  wideVersions: ContainerdSeries[];
  /** Where latest.md, latest.svg and latest.json go. */
  resultsDir: string;
}

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got ${raw}`);
  return n;
}

function counts(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError(`${name} must list positive integers, got ${raw}`);
  return [...new Set(list)].sort((a, b) => a - b);
}

/** A list of containerd series; `none` for no series at all. */
function versions(name: string, fallback: readonly ContainerdSeries[]): ContainerdSeries[] {
  const raw = process.env[name];
  if (!raw) return [...fallback];
  if (raw.trim() === 'none') return [];
  const list = raw.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !(allSeries as readonly string[]).includes(s));
  if (bad.length > 0) throw new InvalidArgumentError(`${name}: unknown series ${bad.join(', ')} (known: ${allSeries.join(', ')})`);
  return list as ContainerdSeries[];
}

/** The single executable when it has been built, else the development launcher. */
function shimDir(): string {
  const explicit = process.env.METASSEMBLY_SHIM_DIR;
  if (explicit) return explicit;
  const dist = join(repoRoot, 'dist');
  return existsSync(join(dist, 'containerd-shim-metassembly-v2')) ? dist : join(repoRoot, 'shim', 'dev');
}

export function loadSettings(): Settings {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    quick,
    versions: versions('BENCH_VERSIONS', allSeries),
    shimDir: shimDir(),
    coldRuns: count('BENCH_COLD_RUNS', quick ? 6 : 30),
    warmRuns: count('BENCH_WARM_RUNS', quick ? 6 : 30),
    memoryAt: counts('BENCH_MEMORY_AT', quick ? [10] : [10, 50]),
    parallel: count('BENCH_PARALLEL', 8),
    execRuns: count('BENCH_EXEC_RUNS', quick ? 8 : 30),
    loopRuns: count('BENCH_LOOP_RUNS', quick ? 1 : 3),
    syscallLoopBytes: count('BENCH_SYSCALL_LOOP_BYTES', quick ? 500_000 : 2_000_000),
    fileLoopMiB: count('BENCH_FILE_LOOP_MIB', quick ? 64 : 256),
    wideAt: count('BENCH_WIDE_AT', 250),
    wideVersions: versions('BENCH_WIDE_VERSIONS', quick ? [] : ['1.6']),
    resultsDir: process.env.BENCH_RESULTS_DIR || join(repoRoot, 'bench', 'results'),
  };
}
