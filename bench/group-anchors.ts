/**
 * One long-running container per runtime, each in its own named shim group, so warm starts
 * and the direct `start` executions find that group's shim already running.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Containerd } from '../test/e2e/harness';
import { InternalError } from '../src/errors';
import { failureText, runDetached, teardown } from './ctr-runs';
import type { RuntimeUnderTest, Side } from './runtimes';

export interface GroupAnchor {
  id: string;
  group: string;
  /** The group shim's ttrpc address, as containerd recorded it in the anchor's bundle. */
  address: string;
}

function bundleOf(cd: Containerd, id: string): string {
  return join(cd.state, 'io.containerd.runtime.v2.task', cd.namespace, id);
}

// 1.6/1.7 keep the address the shim wrote; 2.x writes bootstrap.json after start.
function shimAddress(bundle: string): string {
  const bootstrap = join(bundle, 'bootstrap.json');
  if (existsSync(bootstrap)) return (JSON.parse(readFileSync(bootstrap, 'utf8')) as { address: string }).address;
  return readFileSync(join(bundle, 'address'), 'utf8').trim();
}

export async function startAnchors(cd: Containerd, runtimes: Record<Side, RuntimeUnderTest>): Promise<Record<Side, GroupAnchor>> {
  const anchors: Partial<Record<Side, GroupAnchor>> = {};
  for (const rt of [runtimes.ours, runtimes.runc]) {
    const id = `${rt.side}-anchor`;
    const group = `bench-${rt.side}`;
    const { result } = await runDetached(cd, rt, id, group);
    if (result.code !== 0) throw new InternalError(failureText(`anchor ${id}`, result));
    anchors[rt.side] = { id, group, address: shimAddress(bundleOf(cd, id)) };
  }
  return anchors as Record<Side, GroupAnchor>;
}

export async function stopAnchors(cd: Containerd, anchors: Record<Side, GroupAnchor>, failures: string[]): Promise<void> {
  const { result } = await teardown(cd, [anchors.ours.id, anchors.runc.id]);
  if (result.code !== 0) failures.push(failureText('anchor teardown', result));
}
