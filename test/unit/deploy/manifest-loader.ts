import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../e2e/harness';
import { InvalidArgumentError } from '../../../src/errors';
import type { FakeKubeApi } from './fake-kube-api';

/** A Kubernetes object as parsed from YAML: only the fields every kind has are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** kubectl, if one runs here (Debian's kubernetes-client, or any other). */
export async function kubectlAvailable(): Promise<boolean> {
  const r = await runCommand('kubectl', ['version', '--client'], { timeoutMs: 30_000 }).catch(() => undefined);
  return r?.code === 0;
}

/** A python3 that has PyYAML (Debian's python3-yaml), if any. */
export async function pyyamlPython(): Promise<string | undefined> {
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = await runCommand(python, ['-c', 'import yaml'], { timeoutMs: 30_000 }).catch(() => undefined);
    if (r?.code === 0) return python;
  }
  return undefined;
}

/** Runs kubectl against the fake API server, with no kubeconfig and a throwaway cache. */
export async function kubectl(api: FakeKubeApi, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = mkdtempSync('/tmp/mt-kubectl-');
  try {
    const env = { ...process.env, HOME: home, KUBECONFIG: join(home, 'none') };
    return await runCommand('kubectl', ['--server', api.url, '--cache-dir', join(home, 'cache'), ...args], { env, timeoutMs: 60_000 });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The objects of a manifest as kubectl reads them (`create --dry-run=client -o json`). */
export async function objectsByKubectl(api: FakeKubeApi, file: string): Promise<KubeObject[]> {
  const r = await kubectl(api, ['create', '--dry-run=client', '--validate=false', '-o', 'json', '-f', file]);
  if (r.code !== 0) throw new InvalidArgumentError(`kubectl create --dry-run=client ${file}: ${r.stderr}`);
  // One pretty-printed object after another, each opening and closing at column 0.
  return JSON.parse(`[${r.stdout.trim().replace(/^}\n\{/gm, '},{')}]`);
}

/** The objects of a manifest as PyYAML reads them. */
export async function objectsByPyyaml(python: string, file: string): Promise<KubeObject[]> {
  const script = 'import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(open(sys.argv[1])) if d], sys.stdout)';
  const r = await runCommand(python, ['-c', script, file], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new InvalidArgumentError(`PyYAML ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
