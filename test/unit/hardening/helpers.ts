/**
 * Shared inputs for the hardening tests: the specs containerd 1.6 really wrote
 * (captured from `ctr run` bundles with the runc-v2 shim), a CRI-like pod container
 * derived from them, a user-namespace grant, and a way to run the policy expecting a
 * refusal.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import * as assert from 'uvu/assert';
import { ShimError } from '../../../src/errors';
import {
  applyHardening,
  defaultHardeningPolicy,
  type HardeningContext,
  type HardeningPolicy,
  type OciSpec,
  type UserNamespaceGrant,
} from '../../../src/hardening';

const fixtures = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'hardening');

/** containerd-1.6-ctr-{default,privileged,seccomp}.json: `ctr run` plain, --privileged, --seccomp. */
export function fixture(name: 'ctr-default' | 'ctr-privileged' | 'ctr-seccomp'): OciSpec {
  return JSON.parse(readFileSync(path.join(fixtures, `containerd-1.6-${name}.json`), 'utf8')) as OciSpec;
}

export function grant(hostID = 100000, joinPath?: string): UserNamespaceGrant {
  const mapping = [{ containerID: 0, hostID, size: 65536 }];
  return joinPath === undefined
    ? { uidMappings: mapping, gidMappings: mapping }
    : { uidMappings: mapping, gidMappings: mapping, path: joinPath };
}

export function policy(overrides: Partial<HardeningPolicy> = {}): HardeningPolicy {
  return { ...defaultHardeningPolicy('x86_64'), ...overrides };
}

export function limits(overrides: Partial<HardeningPolicy['limits']>): HardeningPolicy {
  const p = policy();
  return { ...p, limits: { ...p.limits, ...overrides } };
}

export const context: HardeningContext = { containerId: 'c1', podId: 'p1', userNamespace: grant() };

export const podNamespaces = {
  network: '/var/run/netns/cni-0b3c',
  ipc: '/proc/4242/ns/ipc',
  uts: '/proc/4242/ns/uts',
};

export const podContext: HardeningContext = {
  containerId: 'app',
  podId: 'p1',
  podNamespaces,
  userNamespace: grant(100000, '/proc/4242/ns/user'),
};

/** An app container of a CRI pod: joins the sandbox's net, ipc and uts; binds from containerd's state. */
export function criPodContainer(): OciSpec {
  const spec = fixture('ctr-default');
  spec.linux!.namespaces = [
    { type: 'pid' },
    { type: 'ipc', path: podNamespaces.ipc },
    { type: 'uts', path: podNamespaces.uts },
    { type: 'mount' },
    { type: 'network', path: podNamespaces.network },
  ];
  spec.mounts!.push(
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    {
      destination: '/etc/hosts',
      type: 'bind',
      source: '/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/0b3c/hosts',
      options: ['rbind', 'rprivate', 'rw'],
    },
    {
      destination: '/dev/shm',
      type: 'bind',
      source: '/run/containerd/io.containerd.grpc.v1.cri/sandboxes/0b3c/shm',
      options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'],
    },
  );
  spec.linux!.resources!.memory = { limit: 256 * 1024 * 1024, swap: 256 * 1024 * 1024 };
  spec.linux!.resources!.pids = { limit: 200 };
  return spec;
}

export function refusal(spec: OciSpec, p: HardeningPolicy, ctx: HardeningContext = context): ShimError {
  try {
    applyHardening(spec, p, ctx);
  } catch (err) {
    assert.instance(err, ShimError);
    return err as ShimError;
  }
  throw new Error('expected the policy to refuse');
}
