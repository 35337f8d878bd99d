#!/usr/bin/env node
/**
 * node scripts/bundle.mjs <entry.js> <out.js>: the entry and every file it requires,
 * transitively, as one CommonJS script (see scripts/bundle/emit.mjs for its shape).
 * Our own small bundler: the design admits no external one, and tsc's CommonJS output
 * plus protobufjs need only static require('...') resolution.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectModules } from './bundle/collect.mjs';
import { emitBundle } from './bundle/emit.mjs';

const [entry, out] = process.argv.slice(2);
if (!entry || !out) {
  process.stderr.write('usage: node scripts/bundle.mjs <entry.js> <out.js>\n');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
try {
  const modules = collectModules(entry);
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileSync(out, emitBundle(modules, path.resolve(entry), root));
  process.stdout.write(`bundle: ${modules.size} modules -> ${out}\n`);
} catch (err) {
  process.stderr.write(`bundle: ${err.message}\n`);
  process.exit(1);
}
