import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Just enough of a Kubernetes API server for kubectl's client-side dry run: kubectl maps each
 * manifest's kind to a resource through discovery even with --dry-run=client, and apply looks
 * the object up (404 here: it would be created). No objects, no OpenAPI (use --validate=false).
 */
export interface FakeKubeApi {
  url: string;
  close(): Promise<void>;
}

interface Resource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** The kinds deploy/kubernetes uses, by group/version. */
const resources: Record<string, Resource[]> = {
  v1: [
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    { name: 'nodes', kind: 'Node', namespaced: false },
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
  ],
  'apps/v1': [{ name: 'daemonsets', kind: 'DaemonSet', namespaced: true }],
  'rbac.authorization.k8s.io/v1': [
    { name: 'clusterroles', kind: 'ClusterRole', namespaced: false },
    { name: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  ],
  'node.k8s.io/v1': [{ name: 'runtimeclasses', kind: 'RuntimeClass', namespaced: false }],
};

const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(groupVersion: string): object {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources[groupVersion].map((r) => ({
      name: r.name,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs,
    })),
  };
}

function groupList(): object {
  const groups = Object.keys(resources)
    .filter((gv) => gv.includes('/'))
    .map((gv) => {
      const [name, version] = gv.split('/');
      const v = { groupVersion: gv, version };
      return { name, versions: [v], preferredVersion: v };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function respond(path: string): [number, object] {
  if (path === '/api') return [200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }];
  if (path === '/apis') return [200, groupList()];
  if (path === '/api/v1') return [200, resourceList('v1')];
  const gv = /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
  if (gv && resources[gv]) return [200, resourceList(gv)];
  return [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` }];
}

export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  const server: Server = createServer((req, res) => {
    const [code, body] = respond(new URL(req.url ?? '/', 'http://x').pathname);
    // Plain JSON: kubectl falls back from aggregated to legacy discovery on its own.
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
