/** Looking into a running CRI pod from a test: its pause's host pid, and a shell in a container. */
import * as assert from 'uvu/assert';
import type { CriClient } from '../../../tools/cri';
import type { Containerd } from '../harness';
import { criNamespace } from './cri-leak-check';

/** The host pid of a pod's pause container, from containerd's task list. */
export async function pausePid(cd: Containerd, podId: string): Promise<number> {
  const out = await cd.ctr(['task', 'ls'], { namespace: criNamespace });
  const line = out.stdout.split('\n').find((l) => l.startsWith(`${podId} `));
  return Number(line?.trim().split(/\s+/)[1]);
}

/** Runs a shell script in a container through ExecSync; asserts it exits 0 and returns its trimmed output. */
export async function sh(cri: CriClient, id: string, script: string): Promise<string> {
  const got = await cri.execSync(id, ['sh', '-c', script], 10);
  assert.is(got.exitCode, 0, `${script}: ${got.stderr.toString()}`);
  return got.stdout.toString().trim();
}
