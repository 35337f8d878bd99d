import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi } from './fake-kube-api';
import { deployDir } from './install-run';
import {
  kubectl,
  kubectlAvailable,
  objectsByKubectl,
  objectsByPyyaml,
  pyyamlPython,
  type KubeObject,
} from './manifest-loader';

// deploy/kubernetes validated offline: kubectl's client-side dry run (apply and create) against a
// fake discovery endpoint where kubectl runs, PyYAML where it does not, and in either case the
// fields each kind needs, and the references between the manifests, scripts and image.

type Json = any;

const manifestDir = join(deployDir, 'kubernetes');
const manifests = ['runtimeclass.yaml', 'installer-daemonset.yaml', 'uninstall-daemonset.yaml'];
const namespacedKinds = new Set(['ServiceAccount', 'DaemonSet']);
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const quantity = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

let api: FakeKubeApi | undefined;
const loaded: Record<string, KubeObject[]> = {};

test.before(async () => {
  const python = await pyyamlPython();
  if (await kubectlAvailable()) {
    api = await startFakeKubeApi();
    for (const m of manifests) loaded[m] = await objectsByKubectl(api, join(manifestDir, m));
  } else if (python) {
    console.log('kubectl is not installed: manifests parsed by PyYAML');
    for (const m of manifests) loaded[m] = await objectsByPyyaml(python, join(manifestDir, m));
  } else {
    console.log('neither kubectl nor PyYAML (python3-yaml) here: manifests not parsed');
  }
});

test.after(async () => {
  await api?.close();
});

const objects = (m: string): Json[] => loaded[m] ?? [];
const one = (m: string, kind: string): Json => {
  const found = objects(m).filter((o) => o.kind === kind);
  assert.is(found.length, 1, `${m}: one ${kind}`);
  return found[0];
};
const parsed = (): boolean => Object.keys(loaded).length > 0;

test('kubectl apply --dry-run=client accepts every manifest', async () => {
  if (!api) return console.log('  (skipped: no kubectl)');
  for (const m of manifests) {
    const r = await kubectl(api, ['apply', '--dry-run=client', '--validate=false', '-f', join(manifestDir, m)]);
    assert.is(r.code, 0, `${m}: ${r.stderr}`);
    const created = r.stdout.trim().split('\n');
    assert.is(created.length, objects(m).length, r.stdout);
    for (const line of created) assert.match(line, / created \(dry run\)$/);
  }
});

test('kubectl and PyYAML read the same objects', async () => {
  const python = await pyyamlPython();
  if (!api || !python) return console.log('  (skipped: needs both kubectl and PyYAML)');
  for (const m of manifests) assert.equal(await objectsByPyyaml(python, join(manifestDir, m)), loaded[m], m);
});

test('every object: apiVersion, kind, a valid name, a namespace where the kind has one', () => {
  if (!parsed()) return;
  for (const m of manifests) {
    assert.ok(objects(m).length > 0, `${m} has objects`);
    for (const o of objects(m)) {
      const what = `${m}: ${o.kind}/${o.metadata?.name}`;
      assert.type(o.apiVersion, 'string', what);
      assert.type(o.kind, 'string', what);
      assert.match(o.metadata?.name ?? '', dns1123Subdomain, what);
      if (namespacedKinds.has(o.kind)) assert.match(o.metadata.namespace ?? '', dns1123Label, what);
      for (const v of Object.values(o.metadata.labels ?? {})) assert.type(v, 'string', `${what}: label values are strings`);
    }
  }
});

test('RuntimeClass: handler metassembly as containerd names it, overhead quantities, node selector', () => {
  if (!parsed()) return;
  const rc = one('runtimeclass.yaml', 'RuntimeClass');
  assert.is(rc.apiVersion, 'node.k8s.io/v1');
  assert.is(rc.metadata.name, 'metassembly');
  assert.is(rc.handler, 'metassembly');
  assert.match(rc.handler, dns1123Label);
  for (const snippet of ['config-v2.toml', 'config-v3.toml']) {
    const text = readFileSync(join(deployDir, 'containerd', snippet), 'utf8');
    assert.ok(text.includes(`.containerd.runtimes.${rc.handler}]`), `${snippet} registers handler ${rc.handler}`);
  }
  for (const resource of ['memory', 'cpu']) {
    assert.type(rc.overhead?.podFixed?.[resource], 'string', resource);
    assert.match(rc.overhead.podFixed[resource], quantity, resource);
  }
  assert.equal(rc.scheduling?.nodeSelector, { 'metassembly.io/runtime': 'true' });
  for (const t of rc.scheduling.tolerations ?? []) {
    assert.ok(['Equal', 'Exists'].includes(t.operator), JSON.stringify(t));
    assert.ok(['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect), JSON.stringify(t));
  }
});

test('installer: RBAC lets its service account get and patch nodes', () => {
  if (!parsed()) return;
  const m = 'installer-daemonset.yaml';
  const sa = one(m, 'ServiceAccount');
  const role = one(m, 'ClusterRole');
  const binding = one(m, 'ClusterRoleBinding');
  const nodeRule = role.rules.find((r: Json) => r.apiGroups.includes('') && r.resources.includes('nodes'));
  assert.ok(nodeRule && ['get', 'patch'].every((v) => nodeRule.verbs.includes(v)), JSON.stringify(role.rules));
  assert.equal(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
  assert.equal(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
});

/** Checks a DaemonSet's pod template; returns its init container's script. */
function checkDaemonSet(m: string, ds: Json, sa: Json): string {
  assert.is(ds.apiVersion, 'apps/v1');
  const labels = ds.spec.template.metadata.labels;
  for (const [k, v] of Object.entries(ds.spec.selector.matchLabels)) assert.is(labels[k], v, `${m}: selector ${k} matches the template`);
  const pod = ds.spec.template.spec;
  assert.is(ds.metadata.namespace, sa.metadata.namespace, `${m}: in the service account's namespace`);
  assert.is(pod.serviceAccountName, sa.metadata.name);
  assert.is(pod.hostPID, true, `${m}: hostPID, for nsenter into PID 1`);
  const volumes = new Map<string, Json>(pod.volumes.map((v: Json) => [v.name, v]));
  for (const c of [...pod.initContainers, ...pod.containers]) {
    assert.match(c.name, dns1123Label);
    assert.type(c.image, 'string');
    for (const vm of c.volumeMounts ?? []) {
      const v = volumes.get(vm.name);
      assert.ok(v, `${m}: ${c.name} mounts volume ${vm.name}, which exists`);
      // The scripts write host paths at the same paths: containerd, through nsenter, reads them there.
      assert.is(v.hostPath?.path, vm.mountPath, `${m}: ${vm.name} at its host path`);
    }
  }
  assert.is(pod.initContainers.length, 1);
  const init = pod.initContainers[0];
  assert.is(init.securityContext?.privileged, true);
  assert.equal(
    init.env.find((e: Json) => e.name === 'NODE_NAME')?.valueFrom,
    { fieldRef: { fieldPath: 'spec.nodeName' } },
  );
  const mounts = init.volumeMounts.map((vm: Json) => vm.mountPath).sort();
  assert.equal(mounts, ['/etc/containerd', '/etc/metassembly', '/opt/metassembly']);
  return [...init.command, ...init.args].join(' ');
}

/** Every /metassembly/... path a script names is in the image, and its scripts are in deploy/install. */
function checkImagePaths(m: string, script: string): void {
  const containerfile = readFileSync(join(deployDir, 'image', 'Containerfile'), 'utf8');
  for (const path of script.match(/\/metassembly\/[\w./-]+/g) ?? []) {
    const copied = [...containerfile.matchAll(/^COPY (\S+) (\S+)$/gm)].find(([, , dest]) => path === dest || path.startsWith(dest));
    assert.ok(copied, `${m}: ${path} is copied into the image`);
    const source = join(deployDir, '..', copied![1], path.slice(copied![2].length));
    if (copied![1].startsWith('deploy/')) {
      assert.ok(existsSync(source), `${m}: ${path} is ${source}`);
      assert.ok((statSync(source).mode & 0o111) !== 0, `${source} is executable`);
    }
  }
}

test('installer DaemonSet: pod template, host mounts, install then label', () => {
  if (!parsed()) return;
  const m = 'installer-daemonset.yaml';
  const script = checkDaemonSet(m, one(m, 'DaemonSet'), one(m, 'ServiceAccount'));
  assert.match(script, /\/metassembly\/install\/install\.sh --binary \/metassembly\/bin\/containerd-shim-metassembly-v2/);
  assert.match(script, /--host-nsenter/);
  assert.match(script, /node-label\.sh set/);
  checkImagePaths(m, script);
});

test('uninstall DaemonSet: same account and image, only labelled nodes, uninstall then unlabel', () => {
  if (!parsed()) return;
  const m = 'uninstall-daemonset.yaml';
  const installer = one('installer-daemonset.yaml', 'DaemonSet');
  const ds = one(m, 'DaemonSet');
  const script = checkDaemonSet(m, ds, one('installer-daemonset.yaml', 'ServiceAccount'));
  assert.match(script, /uninstall\.sh --host-nsenter/);
  assert.match(script, /node-label\.sh remove/);
  checkImagePaths(m, script);
  assert.is(ds.spec.template.spec.initContainers[0].image, installer.spec.template.spec.initContainers[0].image);
  assert.equal(ds.spec.template.spec.nodeSelector, one('runtimeclass.yaml', 'RuntimeClass').scheduling.nodeSelector);
});

test('node-label.sh sets the label the RuntimeClass selects on', () => {
  if (!parsed()) return;
  const [key] = Object.keys(one('runtimeclass.yaml', 'RuntimeClass').scheduling.nodeSelector);
  assert.match(readFileSync(join(deployDir, 'install', 'node-label.sh'), 'utf8'), new RegExp(`^label=${key.replace(/\./g, '\\.')}$`, 'm'));
});

test.run();
