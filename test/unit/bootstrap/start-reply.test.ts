import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startReply } from '../../../src/bootstrap/socket-address';
import { configFromToml, defaultConfig } from '../../../src/config/config';
import { parseToml } from '../../../src/config/toml';

const path = '/run/containerd/s/0123abcd';

test('task_api v2 (the default): start prints the plain unix:// address every containerd reads', () => {
  assert.is(defaultConfig().shim.taskApi, 'v2');
  assert.is(startReply(path, 'v2'), `unix://${path}`);
});

test('task_api v3: start prints the version-3 bootstrap JSON containerd 2.x parses', () => {
  const reply = startReply(path, 'v3');
  assert.equal(JSON.parse(reply), { version: 3, address: `unix://${path}`, protocol: 'ttrpc' });
  assert.not.match(reply, /\n/, 'one line: containerd trims whitespace but the JSON must be whole');
});

test('[shim] task_api: v2 and v3 accepted, anything else refused by name', () => {
  const load = (text: string) => configFromToml(parseToml(text, 't.toml'), 't.toml');
  assert.is(load('[shim]\ntask_api = "v3"').shim.taskApi, 'v3');
  assert.is(load('[shim]\ntask_api = "v2"').shim.taskApi, 'v2');
  assert.throws(() => load('[shim]\ntask_api = "3"'), /shim\.task_api: must be one of v2, v3/);
  assert.throws(() => load('[shim]\ntask_api = 3'), /shim\.task_api: must be a string/);
});

test.run();
