/**
 * Many long-running containers: started one after the other or a few at a time, in each
 * runtime's default grouping (one shim per container under ctr) or all in one pod group;
 * the shims' memory is sampled as the count passes each milestone; then all are torn down.
 */
import type { Containerd } from '../test/e2e/harness';
import { nowMs } from './clock';
import { failureText, runDetached, teardown } from './ctr-runs';
import { watchMemory, type MemorySample } from './memory-watch';
import { metric, type Metric, type Place } from './results-model';
import { alternate, type RuntimeUnderTest, type Side } from './runtimes';
import { summarize, type Summary } from './stats';

export type BatchKind = 'sequential' | 'parallel' | 'pod';

export interface BatchInput {
  cd: Containerd;
  runtimes: Record<Side, RuntimeUnderTest>;
  /** Container counts at which memory is sampled; the largest is the batch size. */
  memoryAt: number[];
  parallel: number;
  failures: string[];
}

interface BatchOutcome {
  /** Each `ctr run -d`, in milliseconds. */
  runs: number[];
  totalMs: number;
  teardownMs: number;
  memory: MemorySample[];
}

async function runBatch(input: BatchInput, rt: RuntimeUnderTest, kind: BatchKind): Promise<BatchOutcome> {
  const { cd } = input;
  const size = Math.max(...input.memoryAt);
  const group = kind === 'pod' ? `pod-${rt.side}` : undefined;
  const watch = watchMemory(cd);
  const started: string[] = [];
  const runs: number[] = [];
  const memory: MemorySample[] = [];

  const startOne = async (i: number): Promise<void> => {
    const id = `${rt.side}-${kind}-${i}`;
    const { ms, result } = await runDetached(cd, rt, id, group);
    if (result.code === 0) {
      runs.push(ms);
      started.push(id);
    } else {
      input.failures.push(failureText(`${kind} ${id}`, result));
    }
  };

  const t0 = nowMs();
  let activeMs = 0;
  if (kind === 'parallel') {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < size) await startOne(next++);
    };
    await Promise.all(Array.from({ length: Math.min(input.parallel, size) }, worker));
    activeMs = nowMs() - t0;
  } else {
    for (let i = 0; i < size; i++) {
      const before = nowMs();
      await startOne(i);
      activeMs += nowMs() - before;
      if (input.memoryAt.includes(i + 1) && started.length > 0) memory.push(await watch.sample(i + 1, started.length));
    }
  }

  const down = await teardown(cd, started);
  if (down.result.code !== 0) input.failures.push(failureText(`${kind} teardown (${rt.side})`, down.result));
  await watch.waitGone(input.failures);
  return { runs, totalMs: activeMs, teardownMs: down.ms, memory };
}

const one = (v: number | undefined): Summary | undefined => (v === undefined ? undefined : summarize([v]));

function toMetrics(kind: BatchKind, size: number, parallel: number, out: Record<Side, BatchOutcome>): Metric[] {
  const per = (f: (o: BatchOutcome) => Summary | undefined): Partial<Record<Place, Summary>> => ({
    ours: f(out.ours),
    runc: f(out.runc),
  });
  const label = { sequential: 'default grouping, one at a time', parallel: `default grouping, ${parallel} at a time`, pod: 'one pod group, one at a time' }[kind];
  const metrics: Metric[] = [];
  if (kind !== 'parallel') metrics.push(metric(`batch-${kind}-run`, `${size} × ctr run -d (${label}): each`, 'ms', per((o) => summarize(o.runs))));
  metrics.push(
    metric(`batch-${kind}-total`, `${size} × ctr run -d (${label}): all, per container`, 'ms', per((o) => one(o.totalMs / size))),
    metric(`batch-${kind}-teardown`, `teardown of ${size} (${label}): per container`, 'ms', per((o) => one(o.teardownMs / size))),
  );
  const grouping = kind === 'pod' ? 'pod' : 'default';
  for (const count of new Set([...out.ours.memory, ...out.runc.memory].map((m) => m.count))) {
    const at = (o: BatchOutcome): MemorySample | undefined => o.memory.find((m) => m.count === count);
    metrics.push(
      metric(`pss-${grouping}-${count}`, `shim PSS per container at ${count} (${grouping} grouping)`, 'MiB', per((o) => one(at(o)?.shimPssMiBPerContainer))),
      metric(`containerd-rss-${grouping}-${count}`, `containerd RSS growth at ${count} (${grouping} grouping)`, 'MiB', per((o) => one(at(o)?.containerdGrowthMiB))),
    );
  }
  return metrics;
}

export async function batch(input: BatchInput, kind: BatchKind, round: number): Promise<Metric[]> {
  const out: Partial<Record<Side, BatchOutcome>> = {};
  for (const rt of alternate(round, input.runtimes)) out[rt.side] = await runBatch(input, rt, kind);
  return toMetrics(kind, Math.max(...input.memoryAt), input.parallel, out as Record<Side, BatchOutcome>);
}
