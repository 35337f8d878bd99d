import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FailedPreconditionError } from '../../../src/errors';

/** Where Debian's containernetworking-plugins puts the CNI plugins. */
export const debianCniDir = '/usr/lib/cni';

export interface PodNetwork {
  /** The network namespace the bridge lives in, named under /run/netns. */
  netns: string;
  binDir: string;
  confDir: string;
  bridge: string;
  subnet: string;
  gateway: string;
  /** Whether the bridge plugin has created the bridge (in netns, on the first pod). */
  bridgeExists(): boolean;
  /** Deletes the namespace, and with it the bridge and every veth end left on it. */
  remove(): void;
}

const plugins = ['bridge', 'host-local', 'loopback', 'portmap'];

/**
 * A pod network that touches nothing of the host's: the CNI plugins containerd runs are
 * wrappers that enter a network namespace of our own first, so the bridge, the host ends of
 * the veths and portmap's iptables rules are created there, and each pod's end is moved into
 * its own pod namespace (CNI_NETNS) as usual. No route leads out of it. On a real node the
 * plugins run unwrapped from /usr/lib/cni.
 */
export function createPodNetwork(dir: string, name: string): PodNetwork {
  if (!existsSync(join(debianCniDir, 'bridge'))) {
    throw new FailedPreconditionError(`${debianCniDir}/bridge missing: apt-get install containernetworking-plugins`);
  }
  const netns = name;
  const subnet = '10.254.0.0/24';
  const gateway = '10.254.0.1';
  const bridge = 'mtbr0';
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);

  const binDir = join(dir, 'cni-bin');
  const confDir = join(dir, 'cni-conf');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(confDir, { recursive: true });
  for (const p of plugins) {
    // The bridge plugin execs host-local through CNI_PATH, i.e. through this wrapper too.
    writeFileSync(
      join(binDir, p),
      `#!/bin/sh\nexec nsenter --net=/run/netns/${netns} -- ${debianCniDir}/${p} "$@"\n`,
      { mode: 0o755 },
    );
  }
  const conflist = {
    cniVersion: '1.0.0',
    name: `${name}-pods`,
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet, gateway }]],
          routes: [{ dst: '0.0.0.0/0' }],
          // host-local's default /var/lib/cni/networks is host-wide.
          dataDir: join(dir, 'cni-ipam'),
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  writeFileSync(join(confDir, '10-pods.conflist'), JSON.stringify(conflist, null, 2));

  return {
    netns,
    binDir,
    confDir,
    bridge,
    subnet,
    gateway,
    bridgeExists: () => {
      try {
        execFileSync('ip', ['-n', netns, 'link', 'show', bridge], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    },
    remove: () => {
      try {
        execFileSync('ip', ['netns', 'delete', netns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    },
  };
}
