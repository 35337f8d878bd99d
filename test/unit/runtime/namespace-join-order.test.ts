import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { joinsBeforeUserNamespace, NamespaceJoinOrderProbe, parseRuntimeVersion } from '../../../src/runtime/namespace-join-order';
import type { CommandResult, CommandRunner } from '../../../src/sys/sys';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileVersionCache } from '../../../src/runtime/runtime-version-cache';

// `--version` outputs as the runtimes print them (bookworm's runc and crun, sid's runc) and edge cases.
test('parseRuntimeVersion and joinsBeforeUserNamespace, per runtime and version', () => {
  const cases: Array<[string, string, ReturnType<typeof parseRuntimeVersion>, boolean]> = [
    ['bookworm runc', 'runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n', { name: 'runc', release: [1, 1, 5], prerelease: false }, false],
    ['runc 1.1.15', 'runc version 1.1.15\ncommit: v1.1.15-0-gbc20cb44\n', { name: 'runc', release: [1, 1, 15], prerelease: false }, false],
    ['sid runc', 'runc version 1.3.6+ds1\ncommit: 1.3.6+ds1-1\nspec: 1.2.1\n', { name: 'runc', release: [1, 3, 6], prerelease: false }, true],
    ['runc 1.2.0', 'runc version 1.2.0\n', { name: 'runc', release: [1, 2, 0], prerelease: false }, true],
    ['a 1.2.0 release candidate is not trusted', 'runc version 1.2.0-rc.1\n', { name: 'runc', release: [1, 2, 0], prerelease: true }, false],
    ['runc 2.0', 'runc version 2.0.0\n', { name: 'runc', release: [2, 0, 0], prerelease: false }, true],
    ['runc with no patch', 'runc version 1.4\n', { name: 'runc', release: [1, 4, 0], prerelease: false }, true],
    ['bookworm crun', 'crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\nrundir: /run/crun\n', { name: 'crun', release: [1, 8, 1], prerelease: false }, true],
    ['an older crun', 'crun version 1.4.5\n', { name: 'crun', release: [1, 4, 5], prerelease: false }, false],
    ['an unknown runtime', 'youki version 0.3.0\n', { name: 'youki', release: [0, 3, 0], prerelease: false }, false],
    ['no version line', 'usage: runc\n', undefined, false],
    ['empty', '', undefined, false],
  ];
  for (const [name, output, parsed, joinsFirst] of cases) {
    assert.equal(parseRuntimeVersion(output), parsed, name);
    assert.is(joinsBeforeUserNamespace(parseRuntimeVersion(output)), joinsFirst, name);
  }
});

function runner(outputs: Record<string, CommandResult | Error>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: async (file, args) => {
      calls.push(`${file} ${args.join(' ')}`);
      const out = outputs[file];
      if (out instanceof Error) throw out;
      return out;
    },
    track: () => undefined,
  };
}

const ok = (stdout: string): CommandResult => ({ exitCode: 0, signal: null, stdout, stderr: '' });

test('NamespaceJoinOrderProbe: asks each binary once, concurrent callers share the answer', async () => {
  const r = runner({ '/sid/runc': ok('runc version 1.3.6+ds1\n'), runc: ok('runc version 1.1.5+ds1\n') });
  const probe = new NamespaceJoinOrderProbe(r);
  const answers = await Promise.all([probe.joinsBeforeUserNamespace('/sid/runc'), probe.joinsBeforeUserNamespace('/sid/runc'), probe.joinsBeforeUserNamespace('runc')]);
  assert.equal(answers, [true, true, false]);
  assert.is(await probe.joinsBeforeUserNamespace('/sid/runc'), true);
  assert.equal(r.calls, ['/sid/runc --version', 'runc --version']);
});

test('NamespaceJoinOrderProbe: a runtime that cannot say is taken not to join first', async () => {
  const r = runner({ missing: new Error('spawn missing ENOENT'), failing: { exitCode: 1, signal: null, stdout: 'runc version 1.3.6\n', stderr: 'boom' } });
  const probe = new NamespaceJoinOrderProbe(r);
  assert.is(await probe.joinsBeforeUserNamespace('missing'), false);
  assert.is(await probe.joinsBeforeUserNamespace('failing'), false);
  assert.is(await probe.joinsBeforeUserNamespace('missing'), false);
  assert.equal(r.calls, ['missing --version', 'failing --version']);
});

test('NamespaceJoinOrderProbe with the host\'s cache: a kept answer spawns nothing; a new answer is kept for the next daemon', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-versions-'));
  try {
    const bin = path.join(dir, 'runc');
    fs.writeFileSync(bin, '#!/bin/sh\n', { mode: 0o755 });
    const cacheFile = path.join(dir, 'versions.json');
    const first = runner({ runc: ok('runc version 1.3.6+ds1\n') });
    assert.is(await new NamespaceJoinOrderProbe(first, fileVersionCache(cacheFile, dir)).joinsBeforeUserNamespace('runc'), true);
    assert.equal(first.calls, ['runc --version'], 'the first daemon asks');
    const next = runner({});
    assert.is(await new NamespaceJoinOrderProbe(next, fileVersionCache(cacheFile, dir)).joinsBeforeUserNamespace('runc'), true);
    assert.equal(next.calls, [], 'the next daemon reads the kept answer');
    // a replaced binary (another size) is asked again
    fs.writeFileSync(bin, '#!/bin/sh\n# 1.1\n', { mode: 0o755 });
    const replaced = runner({ runc: ok('runc version 1.1.5+ds1\n') });
    assert.is(await new NamespaceJoinOrderProbe(replaced, fileVersionCache(cacheFile, dir)).joinsBeforeUserNamespace('runc'), false);
    assert.equal(replaced.calls, ['runc --version']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fileVersionCache: a binary that is not there has no key, so nothing is kept for it', () => {
  assert.is(fileVersionCache('/nonexistent/versions.json', '/nonexistent').keyOf('runc'), undefined);
});

test.run();
