/**
 * The executions profiled: each shim's `start` in a bundle whose group shim already runs and
 * its `delete` for an id with nothing left to clean, run as containerd runs them (arguments,
 * environment, stdout a pipe), like bench/shim-exec.ts but reusable run after run.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Containerd } from '../../test/e2e/harness';
import type { GroupAnchor } from '../group-anchors';
import type { RuntimeUnderTest } from '../runtimes';
import { shimEnv } from '../shim-exec';
import type { PerfJob } from './perf-runs';

export interface Executable {
  /** What the row is called, e.g. "ours (dist)". */
  label: string;
  file: string;
  /** Arguments before the shim's own (the script, for plain node). */
  args?: string[];
}

export interface JobContext {
  cd: Containerd;
  dir: string;
}

export function startJob(ctx: JobContext, rt: RuntimeUnderTest, anchor: GroupAnchor, exe: Executable): PerfJob {
  const { cd } = ctx;
  const bundle = join(ctx.dir, `${rt.side}-prof-start`);
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', annotations: { [rt.groupAnnotation]: anchor.group } }));
  return {
    label: `start: ${exe.label}`,
    file: exe.file,
    args: [...(exe.args ?? []), '-namespace', cd.namespace, '-address', cd.address, '-publish-binary', cd.version.containerd, '-id', `${rt.side}-prof-start`, '-debug', 'start'],
    cwd: bundle,
    env: shimEnv(cd),
    // any other address would mean a second shim was launched for the group
    check: (stdout) => stdout.includes(anchor.address),
  };
}

export function deleteJob(ctx: JobContext, rt: RuntimeUnderTest, exe: Executable): PerfJob {
  const { cd } = ctx;
  // runc-v2 finds the bundle as <dir of cwd>/<id>, so the directory is named after the id
  const id = `${rt.side}-prof-delete`;
  const bundle = join(ctx.dir, id);
  return {
    label: `delete: ${exe.label}`,
    file: exe.file,
    args: [...(exe.args ?? []), '-namespace', cd.namespace, '-address', cd.address, '-publish-binary', cd.version.containerd, '-id', id, '-bundle', bundle, 'delete'],
    cwd: bundle,
    env: shimEnv(cd),
    prepare: () => {
      rmSync(bundle, { recursive: true, force: true });
      mkdirSync(bundle);
      // what runc-v2 leaves in every bundle and reads back on delete; ours leaves nothing
      if (rt.side === 'runc') {
        writeFileSync(join(bundle, 'runtime'), '');
        writeFileSync(join(bundle, 'options.json'), '{}');
      }
    },
    // a serialized DeleteResponse, never empty since exit_status is 137
    check: (stdout) => stdout.length > 0,
  };
}

export function bareJob(label: string, file: string, args: string[]): PerfJob {
  return { label, file, args };
}
