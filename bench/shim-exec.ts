/**
 * The shim binary's own executions, without containerd: `start` when the group's shim
 * already runs (it only has to print that address) and `delete` for an id with nothing left
 * to clean, each invoked with the arguments and environment containerd uses, against the
 * bare start-up of each executable (Node's floor for ours, the Go binary's for runc-v2).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type Containerd, type RunResult } from '../test/e2e/harness';
import { timed } from './clock';
import { failureText } from './ctr-runs';
import type { GroupAnchor } from './group-anchors';
import { metric, type Metric, type Place } from './results-model';
import { type RuntimeUnderTest, type Side } from './runtimes';
import { summarize } from './stats';

export interface ShimExecInput {
  cd: Containerd;
  runtimes: Record<Side, RuntimeUnderTest>;
  anchors: Record<Side, GroupAnchor>;
  /** A scratch directory for the bundles. */
  dir: string;
  /** The Node the single executable embeds. */
  node: string;
  runs: number;
  failures: string[];
}

/** The environment containerd gives its shims (see docs/containerd-shim-protocol.md §1.2). */
export function shimEnv(cd: Containerd): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TTRPC_ADDRESS: cd.ttrpcAddress, GOMAXPROCS: '2' };
  if (cd.version.series !== '1.6') Object.assign(env, { GRPC_ADDRESS: cd.address, NAMESPACE: cd.namespace, MAX_SHIM_VERSION: '2' });
  return env;
}

interface Job {
  key: string;
  run(round: number): Promise<{ ms: number; result: RunResult; ok: boolean }>;
}

function startJob(input: ShimExecInput, rt: RuntimeUnderTest): Job {
  const { cd, anchors } = input;
  const anchor = anchors[rt.side];
  return {
    key: `start-${rt.side}`,
    run: async (round) => {
      const id = `${rt.side}-exec-start-${round}`;
      const bundle = join(input.dir, id);
      mkdirSync(bundle);
      const spec = { ociVersion: '1.0.2', annotations: { [rt.groupAnnotation]: anchor.group } };
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      const args = ['-namespace', cd.namespace, '-address', cd.address, '-publish-binary', cd.version.containerd, '-id', id, '-debug', 'start'];
      const t = await timed(() => runCommand(rt.shimBinary, args, { cwd: bundle, env: shimEnv(cd), timeoutMs: 30_000 }));
      // Printing any other address would mean a second shim was launched for the group.
      const ok = t.value.code === 0 && t.value.stdout.includes(anchor.address);
      return { ms: t.ms, result: t.value, ok };
    },
  };
}

function deleteJob(input: ShimExecInput, rt: RuntimeUnderTest): Job {
  const { cd } = input;
  return {
    key: `delete-${rt.side}`,
    run: async (round) => {
      // runc-v2 finds the bundle as <dir of cwd>/<id>, so the directory is named after the id.
      const id = `${rt.side}-exec-delete-${round}`;
      const bundle = join(input.dir, id);
      mkdirSync(bundle);
      // What runc-v2 leaves in every bundle and reads back on delete; ours removes its own
      // record when the task is deleted, so its bundle is empty by then.
      if (rt.side === 'runc') {
        writeFileSync(join(bundle, 'runtime'), '');
        writeFileSync(join(bundle, 'options.json'), '{}');
      }
      const debug = cd.version.series === '1.6' ? [] : ['-debug'];
      const args = ['-namespace', cd.namespace, '-address', cd.address, '-publish-binary', cd.version.containerd, '-id', id, '-bundle', bundle, ...debug, 'delete'];
      const t = await timed(() => runCommand(rt.shimBinary, args, { cwd: bundle, env: shimEnv(cd), timeoutMs: 30_000 }));
      // stdout is a serialized DeleteResponse: never empty, since exit_status is 137.
      return { ms: t.ms, result: t.value, ok: t.value.code === 0 && t.value.stdout.length > 0 };
    },
  };
}

function bareJob(key: string, file: string, args: string[]): Job {
  return {
    key,
    run: async () => {
      const t = await timed(() => runCommand(file, args, { timeoutMs: 30_000 }));
      return { ms: t.ms, result: t.value, ok: t.value.code === 0 };
    },
  };
}

export async function shimExecs(input: ShimExecInput): Promise<Metric[]> {
  const { ours, runc } = input.runtimes;
  const jobs = [
    startJob(input, ours),
    startJob(input, runc),
    deleteJob(input, ours),
    deleteJob(input, runc),
    bareJob('bare-ours', input.node, ['-e', '0']),
    bareJob('bare-runc', runc.shimBinary, ['-v']),
  ];
  const samples = new Map<string, number[]>(jobs.map((j) => [j.key, []]));
  for (let round = 0; round < input.runs; round++) {
    // Rotating the order spreads any drift over every job alike.
    for (let k = 0; k < jobs.length; k++) {
      const job = jobs[(round + k) % jobs.length]!;
      const { ms, result, ok } = await job.run(round);
      if (ok) samples.get(job.key)!.push(ms);
      else input.failures.push(failureText(`${job.key} #${round}`, result));
    }
  }
  const pair = (prefix: string): Partial<Record<Place, ReturnType<typeof summarize>>> => ({
    ours: summarize(samples.get(`${prefix}-ours`)!),
    runc: summarize(samples.get(`${prefix}-runc`)!),
  });
  return [
    metric('exec-start', 'shim `start` alone, group shim running', 'ms', pair('start')),
    metric('exec-delete', 'shim `delete` alone, nothing to clean', 'ms', pair('delete')),
    metric('exec-bare', 'bare start-up (ours: node24 -e 0; runc-v2: shim -v)', 'ms', pair('bare')),
  ];
}
