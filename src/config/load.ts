/**
 * Where the configuration comes from: the runtime options Any containerd passes on
 * `start`'s stdin and in CreateTaskRequest.options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../errors';
import { configFromToml, defaultConfig, type ShimConfig } from './config';
import { parseToml } from './toml';

export interface ConfigSource {
  /** runtimeoptions.v1.Options.config_path */
  configPath?: string;
  /** runtimeoptions.v1.Options.config_body (containerd 1.7/2.x) */
  configBody?: string;
  /** read when it exists, else the defaults: the host's file when the options name none */
  optionalConfigPath?: string;
  /** containerd.runc.v1.Options, when we are configured as an io.containerd.runc.v2 runtime_path */
  runc?: { binaryName: string; root: string; systemdCgroup: boolean };
}

export function loadConfig(source: ConfigSource): ShimConfig {
  const config = loadToml(source);
  if (source.runc) {
    if (source.runc.binaryName) config.runtime.binary = source.runc.binaryName;
    if (source.runc.root) config.runtime.root = source.runc.root;
    // proto3 has no unset bool: false is also what an options table without SystemdCgroup
    // sends, so only true may override the file's systemd_cgroup
    if (source.runc.systemdCgroup) config.runtime.systemdCgroup = true;
  }
  return config;
}

function loadToml(source: ConfigSource): ShimConfig {
  if (source.configPath) {
    let text: string;
    try {
      text = readFileSync(source.configPath, 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(`read metassembly config ${source.configPath}: ${(err as Error).message}`);
    }
    return configFromToml(parseToml(text, source.configPath), source.configPath);
  }
  if (source.configBody) return configFromToml(parseToml(source.configBody, 'config_body'), 'config_body');
  if (source.optionalConfigPath && existsSync(source.optionalConfigPath)) return loadToml({ configPath: source.optionalConfigPath });
  return defaultConfig();
}
