import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const wireDir = resolve(__dirname, '../../../src/wire');

/** The gen/ codec modules a fresh process has loaded after requiring `entry`. */
function genModulesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(resolve(wireDir, entry))});
    process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes('/wire/gen/')).map((k) => k.split('/').pop()).sort()));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
}

test('start needs only the options codecs', () => {
  assert.equal(genModulesLoadedBy('options'), ['options.js']);
});

test('the index loads no codec at all', () => {
  assert.equal(genModulesLoadedBy('index'), []);
});

test('each codec module loads only its own generated file', () => {
  for (const m of ['task', 'events', 'metrics', 'introspection']) assert.equal(genModulesLoadedBy(m), [`${m}.js`]);
});

test.run();
