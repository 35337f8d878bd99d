import type { ContainerdSeries } from './versions';

export interface ConfigPaths {
  root: string;
  state: string;
  address: string;
  ttrpcAddress: string;
  /** Directory for the `opt` plugin, which otherwise writes /opt/containerd on the host. */
  opt: string;
}

export interface ConfigOptions {
  /** Keep the CRI plugins loaded (off by default: they are slow to start and not needed by ctr). */
  cri?: boolean;
  /** TOML appended verbatim, e.g. runtime handler tables when CRI is on. */
  extraConfig?: string;
}

// Plugin ids differ between the series: 2.x split CRI into the grpc service, images and runtime.
function disabledPlugins(series: ContainerdSeries, cri: boolean): string[] {
  // NRI would listen on the host-wide /var/run/nri/nri.sock (enabled by default from 2.0).
  const plugins = ['io.containerd.nri.v1.nri'];
  if (!cri) {
    plugins.push('io.containerd.grpc.v1.cri');
    // 2.x's pod sandbox controller, and the service over it, fail to load without CRI's image
    // service loaded before them; ctr needs neither.
    if (series === '2.x') {
      plugins.push(
        'io.containerd.cri.v1.images',
        'io.containerd.cri.v1.runtime',
        'io.containerd.podsandbox.controller.v1.podsandbox',
        'io.containerd.grpc.v1.sandbox-controllers',
      );
    }
  }
  return plugins;
}

const str = (s: string): string => JSON.stringify(s);

/** A containerd config whose every path is private: version 2 for 1.6/1.7, version 3 for 2.x. */
export function renderConfig(series: ContainerdSeries, paths: ConfigPaths, opts: ConfigOptions = {}): string {
  const lines = [
    `version = ${series === '2.x' ? 3 : 2}`,
    `root = ${str(paths.root)}`,
    `state = ${str(paths.state)}`,
    `disabled_plugins = [${disabledPlugins(series, opts.cri ?? false).map(str).join(', ')}]`,
    '',
    '[grpc]',
    `  address = ${str(paths.address)}`,
    '',
    '[ttrpc]',
    `  address = ${str(paths.ttrpcAddress)}`,
    '',
    '[debug]',
    '  level = "debug"',
    '',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${str(paths.opt)}`,
    '',
  ];
  if (opts.extraConfig) lines.push(opts.extraConfig, '');
  return lines.join('\n');
}
