import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerdSeries } from '../harness';

export interface CriConfigOptions {
  /** The pause image containerd runs every pod sandbox from. */
  sandboxImage: string;
  cniBinDir: string;
  cniConfDir: string;
  /**
   * containerd's own clamp: no container's oom_score_adj below containerd's. Off by default,
   * as on a kubelet node; the runc baseline needs it on hosts without CAP_SYS_RESOURCE, where
   * runc cannot give the pause container the -998 CRI asks for.
   */
  restrictOomScoreAdj?: boolean;
  /** The shim config the `metassembly` handler passes (its options' ConfigPath); none: the shim's defaults. */
  metassemblyConfigPath?: string;
}

/**
 * A shim config for the `metassembly` handler on Debian bookworm's runc 1.1: a default pod's
 * pause joins CNI's host-owned network namespace, which runc 1.1 cannot combine with a user
 * namespace of its own, so the strict default refuses such pods; these tests run them in the
 * host's user namespace by the operator's opt-in (cri-userns-default.test.ts covers both).
 */
export function hostUsernsOptInConfig(dir: string): string {
  const path = join(dir, 'metassembly-host-userns.toml');
  writeFileSync(path, '[hardening]\nallow_host_user_namespace = true\n');
  return path;
}

/** Runtime handlers as kubelet names them (RuntimeClass.handler) and the shim each one starts. */
export const runtimeHandlers = {
  runc: 'io.containerd.runc.v2',
  metassembly: 'io.containerd.metassembly.v2',
} as const;

export type HandlerName = keyof typeof runtimeHandlers;

const str = (s: string): string => JSON.stringify(s);

function runtimeTables(prefix: string, metassemblyConfigPath: string | undefined): string[] {
  return Object.entries(runtimeHandlers).flatMap(([name, type]) => [
    `[${prefix}.containerd.runtimes.${name}]`,
    `  runtime_type = ${str(type)}`,
    ...(name === 'metassembly' && metassemblyConfigPath !== undefined
      ? [`[${prefix}.containerd.runtimes.${name}.options]`, `  ConfigPath = ${str(metassemblyConfigPath)}`]
      : []),
  ]);
}

/**
 * The CRI part of a private containerd's config, appended to the harness's (renderConfig
 * extraConfig, with cri: true). Config version 2 (1.6/1.7) keeps CRI in one plugin; version 3
 * (2.x) splits it into images, runtime and the gRPC service. Pod network namespaces are
 * mounted under containerd's private state dir, not the host's /var/run/netns; the streaming
 * server (Exec URLs) stays on 127.0.0.1 with a random port.
 */
export function renderCriConfig(series: ContainerdSeries, o: CriConfigOptions): string {
  if (series === '2.x') {
    const images = `plugins.'io.containerd.cri.v1.images'`;
    const runtime = `plugins.'io.containerd.cri.v1.runtime'`;
    return [
      `[${images}]`,
      `  snapshotter = "overlayfs"`,
      `[${images}.pinned_images]`,
      `  sandbox = ${str(o.sandboxImage)}`,
      `[${runtime}]`,
      `  netns_mounts_under_state_dir = true`,
      `  restrict_oom_score_adj = ${o.restrictOomScoreAdj ?? false}`,
      `[${runtime}.containerd]`,
      `  default_runtime_name = "runc"`,
      ...runtimeTables(runtime, o.metassemblyConfigPath),
      `[${runtime}.cni]`,
      `  bin_dirs = [${str(o.cniBinDir)}]`,
      `  conf_dir = ${str(o.cniConfDir)}`,
      `[plugins.'io.containerd.grpc.v1.cri']`,
      `  stream_server_address = "127.0.0.1"`,
      `  stream_server_port = "0"`,
    ].join('\n');
  }
  const cri = `plugins."io.containerd.grpc.v1.cri"`;
  return [
    `[${cri}]`,
    `  sandbox_image = ${str(o.sandboxImage)}`,
    `  netns_mounts_under_state_dir = true`,
    `  restrict_oom_score_adj = ${o.restrictOomScoreAdj ?? false}`,
    `  stream_server_address = "127.0.0.1"`,
    `  stream_server_port = "0"`,
    `[${cri}.containerd]`,
    `  snapshotter = "overlayfs"`,
    `  default_runtime_name = "runc"`,
    ...runtimeTables(cri, o.metassemblyConfigPath),
    `[${cri}.cni]`,
    `  bin_dir = ${str(o.cniBinDir)}`,
    `  conf_dir = ${str(o.cniConfDir)}`,
  ].join('\n');
}
