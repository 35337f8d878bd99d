import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFromToml, defaultConfig, parseToml } from '../../../src/config';
import { deployDir } from './install-run';

// deploy/config/config.toml, which install.sh puts at /etc/metassembly/config.toml, says it shows
// every key at its default: the shim's own parser must accept it and arrive at its defaults.

test('the shipped shim config parses to the embedded defaults', () => {
  const path = join(deployDir, 'config', 'config.toml');
  assert.equal(configFromToml(parseToml(readFileSync(path, 'utf8'), path), path), defaultConfig());
});

test.run();
