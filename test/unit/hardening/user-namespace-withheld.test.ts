/**
 * A user namespace the caller withholds (it cannot work for this container, e.g. a CRI pause
 * joining the host-owned CNI netns with runc 1.1): the request's own user namespace, if any,
 * stays as it asked, and the audit says truly what the container runs in - the one it asked
 * for, never a range of this host's pool. Without one of its own, the container is refused
 * naming what is missing, unless the operator opted in to the host's user namespace.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyHardening, HardeningRefusedError, type HardeningContext, type OciSpec } from '../../../src/hardening';
import type { OciIdMapping } from '../../../src/hardening/oci-spec';
import { fixture, policy } from './helpers';

const reason = 'joins namespaces made outside the pod\'s user namespace (network)';
const podRange: OciIdMapping[] = [{ containerID: 0, hostID: 2 ** 30 + 7 * 65536, size: 65536 }];

/** ctr's default spec with the user namespace entry and mappings a request may bring. */
function request(user?: { path?: string; mappings?: OciIdMapping[] }): OciSpec {
  const spec = fixture('ctr-default');
  if (user !== undefined) {
    spec.linux!.namespaces!.push(user.path === undefined ? { type: 'user' } : { type: 'user', path: user.path });
    if (user.mappings !== undefined) {
      spec.linux!.uidMappings = user.mappings;
      spec.linux!.gidMappings = user.mappings;
    }
  }
  return spec;
}

interface Case {
  name: string;
  spec: OciSpec;
  context: HardeningContext;
  /** the user-namespace decision, or none */
  decision?: { what: string; why: RegExp };
  /** the user namespace entries and uid mappings the hardened spec keeps */
  user: Array<{ type: string; path?: string }>;
  uidMappings?: OciIdMapping[];
}

const withheld: HardeningContext = { containerId: 'pause', podId: 'p1', userNamespaceWithheld: reason };
const noPolicyUserns = { requireUserNamespace: false };

const cases: Case[] = [
  {
    name: 'no user namespace asked for, the operator opted in: runs in the host\'s',
    spec: request(),
    context: { ...withheld, optIn: true } as HardeningContext,
    decision: { what: 'user namespace', why: /^joins namespaces made outside the pod's user namespace \(network\): runs in the host's \(hardening\.allow_host_user_namespace\)$/ },
    user: [],
  },
  {
    name: 'hostUsers: false mappings (containerd 1.7): keeps that new user namespace',
    spec: request({ mappings: podRange }),
    context: withheld,
    decision: { what: 'user-namespace range', why: /\(network\): keeps the user namespace it asked for \(a new one, uid 0 at host 1074200576, 65536 ids\), not a range from this host's pool$/ },
    user: [{ type: 'user' }],
    uidMappings: podRange,
  },
  {
    name: 'a user namespace joined by path (containerd 2.x pins one): keeps joining it',
    spec: request({ path: '/run/containerd/userns/p1', mappings: podRange }),
    context: withheld,
    decision: { what: 'user-namespace range', why: /keeps the user namespace it asked for \(path \/run\/containerd\/userns\/p1\)/ },
    user: [{ type: 'user', path: '/run/containerd/userns/p1' }],
    uidMappings: podRange,
  },
  {
    name: 'a new user namespace without mappings: said so',
    spec: request({}),
    context: withheld,
    decision: { what: 'user-namespace range', why: /keeps the user namespace it asked for \(a new one, without mappings\)/ },
    user: [{ type: 'user' }],
  },
  {
    name: 'the partition does without, nothing withheld: the request passes, nothing to say',
    spec: request({ mappings: podRange }),
    context: { containerId: 'c1', podId: 'p1' },
    user: [{ type: 'user' }],
    uidMappings: podRange,
  },
];

test('withheld user namespace: the request\'s own one stays and the audit names it', () => {
  for (const c of cases) {
    const { optIn, ...context } = c.context as HardeningContext & { optIn?: boolean };
    const { spec, decisions } = applyHardening(c.spec, policy({ ...noPolicyUserns, allowHostUserNamespace: optIn === true }), context);
    const about = decisions.filter((d) => /user namespace|user-namespace/.test(d.what));
    if (c.decision === undefined) {
      assert.equal(about, [], c.name);
    } else {
      assert.is(about.length, 1, c.name);
      assert.is(about[0].what, c.decision.what, c.name);
      assert.is(about[0].action, 'removed', c.name);
      assert.match(about[0].why, c.decision.why, c.name);
      assert.not.match(about[0].why, c.decision.what === 'user namespace' ? /asked for/ : /host's$/, c.name);
    }
    assert.equal(spec.linux!.namespaces!.filter((n) => n.type === 'user'), c.user, c.name);
    assert.equal(spec.linux!.uidMappings, c.uidMappings, c.name);
  }
});

test('withheld, none of its own, no opt-in: refused, naming the runtime it needs and the opt-in', () => {
  assert.throws(
    () => applyHardening(request(), policy(noPolicyUserns), withheld),
    (err: Error) =>
      err instanceof HardeningRefusedError &&
      /^hardening policy refused container pause: user namespace: joins namespaces made outside the pod's user namespace \(network\), so it cannot run in a user namespace of its own: use an OCI runtime that joins namespaces before the user namespace \(runc >= 1\.2 or crun, \[runtime\] binary\), or set hardening\.allow_host_user_namespace = true/.test(err.message) &&
      err.decisions.some((d) => d.what === 'user namespace' && d.action === 'refused'),
  );
});

test.run();
