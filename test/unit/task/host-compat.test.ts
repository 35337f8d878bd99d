import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adjustForHost } from '../../../src/task/host-compat';
import { parseSpecVersion } from '../../../src/runtime/runc-runtime';

test('a pause container asking -998 on a host without CAP_SYS_RESOURCE gets the floor, and says so', () => {
  const spec = { ociVersion: '1.0.2-dev', process: { args: ['/pause'], oomScoreAdj: -998 } };
  const { spec: out, changes } = adjustForHost(spec, { oomScoreAdjFloor: 1 });
  assert.is(out.process.oomScoreAdj, 1);
  assert.equal(out.process.args, ['/pause']);
  assert.is(spec.process.oomScoreAdj, -998, 'input untouched');
  assert.match(changes[0], /oomScoreAdj -998 raised to 1/);
});

test('nothing to change: same object, no changes', () => {
  const spec = { ociVersion: '1.2.1', process: { oomScoreAdj: 500 } };
  const result = adjustForHost(spec, { oomScoreAdjFloor: -1000 });
  assert.is(result.spec, spec);
  assert.equal(result.changes, []);
});

test('ociVersion newer than a version-enforcing runtime is lowered; same minor or no limit is kept', () => {
  assert.is(adjustForHost({ ociVersion: '1.2.1' }, { oomScoreAdjFloor: 0, runtimeSpecVersion: '1.0.0' }).spec.ociVersion, '1.0.0');
  assert.is(adjustForHost({ ociVersion: '1.0.2-dev' }, { oomScoreAdjFloor: 0, runtimeSpecVersion: '1.0.0' }).spec.ociVersion, '1.0.2-dev');
  assert.is(adjustForHost({ ociVersion: '1.2.1' }, { oomScoreAdjFloor: 0 }).spec.ociVersion, '1.2.1');
});

test('crun --version spec line', () => {
  assert.is(parseSpecVersion('crun version 1.8.1\ncommit: f8a0\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD\n'), '1.0.0');
  assert.is(parseSpecVersion('nothing here'), undefined);
});

test.run();
