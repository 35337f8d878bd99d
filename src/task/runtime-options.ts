/**
 * The runtime options Any (start's stdin, CreateTaskRequest.options) as a config source.
 * CRI and `ctr --runtime-config-path` send runtimeoptions.v1.Options; a runc-style
 * runtime_type sends containerd.runc.v1.Options. Anything else is refused by name.
 */
import type { ConfigSource } from '../config/load';
import type { DecodedOptions } from '../wire/options';

export function configSourceFromOptions(decoded: DecodedOptions): ConfigSource {
  switch (decoded.kind) {
    case 'none':
      return {};
    case 'runtimeoptions':
      return {
        configPath: decoded.options.configPath,
        configBody: Buffer.from(decoded.options.configBody ?? []).toString('utf8'),
      };
    case 'runc':
      return {
        runc: {
          binaryName: decoded.options.binaryName,
          root: decoded.options.root,
          systemdCgroup: decoded.options.systemdCgroup,
        },
      };
  }
}
