/**
 * The wide memory point (250 containers by default): shim PSS per container and containerd's
 * growth with that many long-running containers, in each runtime's default grouping (one
 * shim per container under ctr) and all in one pod group. Too slow for every containerd
 * series within the bench's 15 minutes on 2 cores, so it runs only on the series named in
 * BENCH_WIDE_VERSIONS (1.6 by default), and the containers start BENCH_PARALLEL at a time:
 * what the shims hold once all run does not depend on how they were started.
 */
import type { Containerd } from '../test/e2e/harness';
import { nowMs } from './clock';
import { failureText, runDetached, teardown } from './ctr-runs';
import { watchMemory, type MemorySample } from './memory-watch';
import { metric, type Metric, type Place } from './results-model';
import { alternate, type RuntimeUnderTest, type Side } from './runtimes';
import { summarize, type Summary } from './stats';

export interface WideInput {
  cd: Containerd;
  runtimes: Record<Side, RuntimeUnderTest>;
  count: number;
  parallel: number;
  failures: string[];
}

type Grouping = 'default' | 'pod';

interface WideOutcome {
  memory: MemorySample;
  /** From the first `ctr run -d` to the last one's end, ÷ containers started. */
  startMsPerContainer: number;
  teardownMsPerContainer: number;
}

async function runWide(input: WideInput, rt: RuntimeUnderTest, grouping: Grouping): Promise<WideOutcome> {
  const { cd, count } = input;
  const group = grouping === 'pod' ? `wide-${rt.side}` : undefined;
  const watch = watchMemory(cd);
  const started: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const id = `${rt.side}-wide-${grouping}-${next++}`;
      const { result } = await runDetached(cd, rt, id, group);
      if (result.code === 0) started.push(id);
      else input.failures.push(failureText(`wide ${id}`, result));
    }
  };
  const t0 = nowMs();
  await Promise.all(Array.from({ length: Math.min(input.parallel, count) }, worker));
  const startMs = nowMs() - t0;
  const memory = await watch.sample(count, Math.max(started.length, 1));
  const down = await teardown(cd, started);
  if (down.result.code !== 0) input.failures.push(failureText(`wide ${grouping} teardown (${rt.side})`, down.result));
  await watch.waitGone(input.failures);
  const per = Math.max(started.length, 1);
  return { memory, startMsPerContainer: startMs / per, teardownMsPerContainer: down.ms / per };
}

const one = (v: number): Summary | undefined => summarize([v]);

export async function widePoint(input: WideInput): Promise<Metric[]> {
  const { count, parallel } = input;
  const metrics: Metric[] = [];
  for (const [round, grouping] of (['default', 'pod'] as const).entries()) {
    const out: Partial<Record<Side, WideOutcome>> = {};
    for (const rt of alternate(round, input.runtimes)) out[rt.side] = await runWide(input, rt, grouping);
    const per = (f: (o: WideOutcome) => number): Partial<Record<Place, Summary>> => ({
      ours: out.ours && one(f(out.ours)),
      runc: out.runc && one(f(out.runc)),
    });
    const how = `${grouping} grouping, ${parallel} at a time`;
    metrics.push(
      metric(`pss-${grouping}-${count}`, `shim PSS per container at ${count} (${how})`, 'MiB', per((o) => o.memory.shimPssMiBPerContainer)),
      metric(`containerd-rss-${grouping}-${count}`, `containerd RSS growth at ${count} (${how})`, 'MiB', per((o) => o.memory.containerdGrowthMiB)),
      metric(`wide-${grouping}-start`, `${count} × ctr run -d (${how}): all, per container`, 'ms', per((o) => o.startMsPerContainer)),
      metric(`wide-${grouping}-teardown`, `teardown of ${count} (${how}): per container`, 'ms', per((o) => o.teardownMsPerContainer)),
    );
  }
  return metrics;
}
