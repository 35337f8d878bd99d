/**
 * A partition's private containerd: its own root, state and sockets, so N partitions run
 * N containerds side by side, and the CRI runtime handler `metassembly` bound to this
 * partition through the shim config it names. Config version 2: containerd 1.6 and 1.7
 * read it as is, 2.x migrates it on load. Pure.
 */
import type { PartitionPaths } from './partition-paths';

export const RUNTIME_HANDLER = 'metassembly';
export const RUNTIME_TYPE = 'io.containerd.metassembly.v2';

const str = (s: string): string => JSON.stringify(s);

export function renderContainerdConfig(name: string, paths: PartitionPaths): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return [
    `# containerd for node partition ${name}; written by \`partition create\`, rewritten on every create.`,
    'version = 2',
    `root = ${str(paths.containerdRoot)}`,
    `state = ${str(paths.containerdState)}`,
    // NRI listens on one host-wide socket (/var/run/nri/nri.sock): two partitions would fight over it.
    'disabled_plugins = ["io.containerd.nri.v1.nri"]',
    '',
    '[grpc]',
    `  address = ${str(paths.grpcAddress)}`,
    '',
    '[ttrpc]',
    `  address = ${str(paths.ttrpcAddress)}`,
    '',
    // The opt plugin would otherwise install into the host-wide /opt/containerd.
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${str(`${paths.containerdRoot}/opt`)}`,
    '',
    `[${cri}.containerd]`,
    `  default_runtime_name = ${str(RUNTIME_HANDLER)}`,
    '',
    `[${cri}.containerd.runtimes.${RUNTIME_HANDLER}]`,
    `  runtime_type = ${str(RUNTIME_TYPE)}`,
    '',
    `[${cri}.containerd.runtimes.${RUNTIME_HANDLER}.options]`,
    `  ConfigPath = ${str(paths.shimConfig)}`,
    '',
  ].join('\n');
}
