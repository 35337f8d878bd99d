/**
 * The runtime options Any (start's stdin, CreateTaskRequest.options) as a config source.
 * CRI and `ctr --runtime-config-path` send runtimeoptions.v1.Options; a runc-style
 * runtime_type sends containerd.runc.v1.Options. Anything else is refused by name.
 */
import type { ConfigSource } from '../config/load';
import type { DecodedOptions } from '../wire/options';

/**
 * Where the shim's config is when containerd's options cannot name it: a handler configured as
 * runtime_type "io.containerd.runc.v2" with runtime_path = this shim (containerd 2.x introspects
 * runtime features only for that type) gets runc's Options, which have no config path field.
 */
export const hostConfigPath = '/etc/metassembly/config.toml';

/** Set in containerd's environment (shims inherit it), this file replaces hostConfigPath and must exist. */
export const hostConfigEnv = 'METASSEMBLY_CONFIG';

export function configSourceFromOptions(decoded: DecodedOptions, env: NodeJS.ProcessEnv = process.env): ConfigSource {
  switch (decoded.kind) {
    case 'none':
      return {};
    case 'runtimeoptions':
      return {
        configPath: decoded.options.configPath,
        configBody: Buffer.from(decoded.options.configBody ?? []).toString('utf8'),
      };
    case 'runc': {
      const runc = {
        binaryName: decoded.options.binaryName,
        root: decoded.options.root,
        systemdCgroup: decoded.options.systemdCgroup,
      };
      const named = env[hostConfigEnv];
      return named ? { configPath: named, runc } : { optionalConfigPath: hostConfigPath, runc };
    }
  }
}
