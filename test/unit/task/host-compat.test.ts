import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { adjustForHost } from '../../../src/task/host-compat';
import { parseSpecVersion } from '../../../src/runtime/runc-runtime';
import { hardRlimits } from '../../../src/task/proc-limits';

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

test('rlimits above the shim\'s hard limit are lowered inside a user namespace or without CAP_SYS_RESOURCE', () => {
  const process = { rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 65536 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }] };
  const userns = { process, linux: { namespaces: [{ type: 'user' }] } };
  const out = adjustForHost(userns, { oomScoreAdjFloor: -1000, rlimitHard: { RLIMIT_NOFILE: 20000 }, canRaiseRlimits: true });
  assert.equal(out.spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 }, { type: 'RLIMIT_CORE', soft: 0, hard: 0 }]);
  assert.match(out.changes[0], /RLIMIT_NOFILE 1024\/65536 lowered to 1024\/20000/);
  const privileged = adjustForHost({ process, linux: { namespaces: [] } }, { oomScoreAdjFloor: -1000, rlimitHard: { RLIMIT_NOFILE: 20000 }, canRaiseRlimits: true });
  assert.equal(privileged.changes, []);
  const unprivileged = adjustForHost({ process, linux: { namespaces: [] } }, { oomScoreAdjFloor: -1000, rlimitHard: { RLIMIT_NOFILE: 20000 }, canRaiseRlimits: false });
  assert.is(unprivileged.spec.process.rlimits[0].hard, 20000);
});

test('/proc/self/limits parsing', () => {
  const text = [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    'Max open files            20000                20000                files     ',
    'Max processes             95528                95528                processes ',
  ].join('\n');
  assert.equal(hardRlimits(text), { RLIMIT_NOFILE: 20000, RLIMIT_NPROC: 95528 });
});

test.run();
