/**
 * Cold start (a new shim per container) and warm start (a container joining a group whose
 * shim already runs), `ctr run --rm … /bin/true` end to end, the two runtimes alternating.
 */
import type { Containerd } from '../test/e2e/harness';
import { sleep } from './clock';
import { failureText, runToCompletion } from './ctr-runs';
import { splitOf, type EventLog } from './event-log';
import { metric, type Metric } from './results-model';
import { alternate, sides, type RuntimeUnderTest, type Side } from './runtimes';
import { summarize } from './stats';

export interface StartLatencyInput {
  cd: Containerd;
  runtimes: Record<Side, RuntimeUnderTest>;
  events: EventLog;
  runs: number;
  failures: string[];
}

interface Samples {
  total: number[];
  create: number[];
  start: number[];
  delete: number[];
}

const emptySamples = (): Samples => ({ total: [], create: [], start: [], delete: [] });

async function measure(
  input: StartLatencyInput,
  kind: string,
  groups: Partial<Record<Side, string>>,
): Promise<Record<Side, Samples>> {
  const samples: Record<Side, Samples> = { ours: emptySamples(), runc: emptySamples() };
  const ids: Array<[Side, string]> = [];
  for (let i = 0; i < input.runs; i++) {
    for (const rt of alternate(i, input.runtimes)) {
      const id = `${rt.side}-${kind}-${i}`;
      const { ms, result } = await runToCompletion(input.cd, rt, id, ['/bin/true'], groups[rt.side]);
      if (result.code === 0) {
        samples[rt.side].total.push(ms);
        ids.push([rt.side, id]);
      } else {
        input.failures.push(failureText(`${kind} ${id}`, result));
      }
    }
  }
  // The last run's events may still be on their way from containerd.
  await sleep(300);
  for (const [side, id] of ids) {
    const split = splitOf(input.events.times(id));
    if (!split) continue;
    samples[side].create.push(split.create);
    samples[side].start.push(split.start);
    samples[side].delete.push(split.delete);
  }
  return samples;
}

function toMetrics(kind: 'cold' | 'warm', label: string, s: Record<Side, Samples>): Metric[] {
  const of = (k: keyof Samples) => Object.fromEntries(sides.map((side) => [side, summarize(s[side][k])]));
  return [
    metric(kind, `${label}: ctr run --rm /bin/true`, 'ms', of('total')),
    metric(`${kind}-create`, `${label}: create (containers/create → tasks/create)`, 'ms', of('create')),
    metric(`${kind}-start`, `${label}: start (tasks/create → tasks/start)`, 'ms', of('start')),
    metric(`${kind}-delete`, `${label}: delete (tasks/exit → containers/delete)`, 'ms', of('delete')),
  ];
}

export async function coldStart(input: StartLatencyInput): Promise<Metric[]> {
  return toMetrics('cold', 'cold', await measure(input, 'cold', {}));
}

/** Each side's containers join the group its anchor container keeps alive. */
export async function warmStart(input: StartLatencyInput, groups: Record<Side, string>): Promise<Metric[]> {
  return toMetrics('warm', 'warm', await measure(input, 'warm', groups));
}
