/** The ctr invocations every scenario is made of, timed from this process. */
import { busyboxRunFlags, type Containerd, type RunResult } from '../test/e2e/harness';
import { timed } from './clock';
import type { RuntimeUnderTest } from './runtimes';

export interface TimedRun {
  ms: number;
  result: RunResult;
}

function runFlags(rt: RuntimeUnderTest, group: string | undefined): string[] {
  const annotation = group === undefined ? [] : ['--annotation', `${rt.groupAnnotation}=${group}`];
  return ['--runtime', rt.name, ...annotation, ...busyboxRunFlags()];
}

/** `ctr run --rm`: create, start, wait, delete, end to end. */
export function runToCompletion(
  cd: Containerd,
  rt: RuntimeUnderTest,
  id: string,
  command: string[],
  group?: string,
): Promise<TimedRun> {
  return timed(() => cd.ctr(['run', '--rm', ...runFlags(rt, group), id, ...command], { timeoutMs: 120_000 })).then(
    ({ ms, value }) => ({ ms, result: value }),
  );
}

/** `ctr run -d` of a container that sleeps until torn down. */
export function runDetached(cd: Containerd, rt: RuntimeUnderTest, id: string, group?: string): Promise<TimedRun> {
  return timed(() => cd.ctr(['run', '-d', ...runFlags(rt, group), id, 'sleep', '3600'], { timeoutMs: 120_000 })).then(
    ({ ms, value }) => ({ ms, result: value }),
  );
}

/** Kills and deletes the tasks, then the containers; ctr handles the ids one after the other. */
export async function teardown(cd: Containerd, ids: readonly string[]): Promise<TimedRun> {
  const t = await timed(async () => {
    const tasks = await cd.ctr(['task', 'delete', '--force', ...ids], { timeoutMs: 300_000 });
    const containers = await cd.ctr(['container', 'delete', ...ids], { timeoutMs: 300_000 });
    return tasks.code !== 0 ? tasks : containers;
  });
  return { ms: t.ms, result: t.value };
}

export function failureText(what: string, r: RunResult): string {
  const why = r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}`;
  return `${what}: ${why}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`;
}
