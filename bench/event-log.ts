/**
 * containerd's own view of a container's life: `ctr events` runs in the background and
 * every event's timestamp is kept per container id, so create, start and delete can be told
 * apart without instrumenting either shim.
 */
import { spawn } from 'node:child_process';
import type { Containerd } from '../test/e2e/harness';
import { sleep } from './clock';

export interface EventLog {
  /** Epoch milliseconds of each topic seen for a container id (first occurrence). */
  times(id: string): Map<string, number>;
  stop(): Promise<void>;
}

// `2026-11-22 16:06:09.250178824 +0000 UTC <namespace> <topic> <json>`: Go's time.Time
// String(), trailing zeros of the fraction dropped (our shim sends millisecond precision).
const line = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))? ([+-]\d\d)(\d\d) \S+ (\S+) (\S+) (.*)$/;

export function parseEventLine(text: string): { ms: number; topic: string; id: string } | undefined {
  const m = line.exec(text);
  if (!m) return undefined;
  const [, date, hms, frac, offH, offM, , topic, json] = m;
  const ms = Date.parse(`${date}T${hms}${offH}:${offM}`) + (frac ? Number(`0.${frac}`) * 1000 : 0);
  let body: { id?: string; container_id?: string };
  try {
    body = JSON.parse(json!);
  } catch {
    return undefined;
  }
  const id = body.container_id ?? body.id;
  return id === undefined ? undefined : { ms, topic: topic!, id };
}

export async function startEventLog(cd: Containerd): Promise<EventLog> {
  const byId = new Map<string, Map<string, number>>();
  const child = spawn(cd.version.ctr, ['--address', cd.address, '--namespace', cd.namespace, 'events'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) {
      const e = parseEventLine(l);
      if (!e) continue;
      const times = byId.get(e.id) ?? new Map<string, number>();
      if (!times.has(e.topic)) times.set(e.topic, e.ms);
      byId.set(e.id, times);
    }
  });
  // The subscription is in place once ctr has connected; there is no event to wait for.
  await sleep(500);
  return {
    times: (id) => byId.get(id) ?? new Map(),
    stop: async () => {
      // Events of the last runs may still be on their way.
      await sleep(300);
      child.kill('SIGTERM');
    },
  };
}

export interface Split {
  create: number;
  start: number;
  delete: number;
}

/**
 * create: container record to task created (shim launch, connect, runtime create);
 * start: task created to started; delete: task exited to container record removed
 * (task delete, shim shutdown, bundle removal).
 */
export function splitOf(times: Map<string, number>): Split | undefined {
  const at = (topic: string): number | undefined => times.get(topic);
  const [cc, tc, ts, te, cdel] = ['/containers/create', '/tasks/create', '/tasks/start', '/tasks/exit', '/containers/delete'].map(at);
  if ([cc, tc, ts, te, cdel].some((t) => t === undefined)) return undefined;
  return { create: tc! - cc!, start: ts! - tc!, delete: cdel! - te! };
}
