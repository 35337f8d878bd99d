export { defaultConfig, configFromToml, type ShimConfig, type Grouping } from './config';
export { loadConfig, type ConfigSource } from './load';
export { parseToml, type TomlTable, type TomlValue } from './toml';
