/**
 * The runtime options Any (start's stdin, CreateTaskRequest.options) as a config source.
 * CRI and `ctr --runtime-config-path` send runtimeoptions.v1.Options; a runc-style
 * runtime_type sends containerd.runc.v1.Options. Anything else is refused by name.
 */
import { InvalidArgumentError } from '../errors';
import type { ConfigSource } from '../config/load';
import { containerd, runtimeoptions } from '../wire/gen/options';

export function configSourceFromAny(any: { type_url?: string | null; value?: Uint8Array | null } | null | undefined): ConfigSource {
  if (!any || !any.type_url) return {};
  const name = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
  const value = any.value ?? new Uint8Array();
  if (name === 'runtimeoptions.v1.Options') {
    const options = runtimeoptions.v1.Options.decode(value);
    return { configPath: options.configPath, configBody: Buffer.from(options.configBody ?? []).toString('utf8') };
  }
  if (name === 'containerd.runc.v1.Options') {
    const options = containerd.runc.v1.Options.decode(value);
    return { runc: { binaryName: options.binaryName, root: options.root, systemdCgroup: options.systemdCgroup } };
  }
  throw new InvalidArgumentError(`unsupported runtime options type ${any.type_url}: expected runtimeoptions.v1.Options`);
}
