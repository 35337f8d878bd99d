import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cgroupVersionOf, detectCgroupMode } from '../../../src/cgroups';
import { parseProcCgroup } from '../../../src/cgroups/proc-cgroup';
import { FailedPreconditionError } from '../../../src/errors';
import { tempTree, type Files } from './trees';

const V1_MOUNTS: Files = {
  'memory/cgroup.procs': '1\n',
  'cpu/cgroup.procs': '1\n',
  'cpuacct/cgroup.procs': '1\n',
  'pids/cgroup.procs': '1\n',
  'systemd/cgroup.procs': '1\n',
};

function modeOf(files: Files) {
  const tree = tempTree(files);
  try {
    return detectCgroupMode(tree.dir);
  } finally {
    tree.remove();
  }
}

test('v1: controllers on v1, no unified mount', () => {
  assert.is(modeOf(V1_MOUNTS), 'v1');
});

test('hybrid: controllers on v1 beside a cgroup2 mount at unified/, and they stay on v1', () => {
  const mode = modeOf({ ...V1_MOUNTS, 'unified/cgroup.controllers': 'hugetlb\n', 'unified/cgroup.procs': '1\n' });
  assert.is(mode, 'hybrid');
  assert.is(cgroupVersionOf(mode), 1);
});

test('v2: the root is the unified hierarchy', () => {
  const mode = modeOf({ 'cgroup.controllers': 'cpuset cpu io memory pids\n', 'cgroup.procs': '1\n' });
  assert.is(mode, 'v2');
  assert.is(cgroupVersionOf(mode), 2);
});

test('no cgroup filesystem: FailedPrecondition', () => {
  assert.throws(() => modeOf({ 'unrelated/file': '' }), (err: unknown) => err instanceof FailedPreconditionError);
});

test('this host (hybrid, controllers on v1) says so', () => {
  if (!existsSync('/sys/fs/cgroup/memory/cgroup.procs')) return console.log('  (skipped: no v1 memory hierarchy on this machine)');
  assert.ok(['v1', 'hybrid'].includes(detectCgroupMode()));
  assert.is(cgroupVersionOf(detectCgroupMode()), 1);
});

test('/proc/<pid>/cgroup: co-mounted and named controllers, the unified line, colons in paths', () => {
  const parsed = parseProcCgroup('12:name=systemd:/user.slice\n4:cpu,cpuacct:/kubepods/a:b\n3:memory:/kubepods/a:b\n0::/kubepods/a:b\n');
  assert.equal(
    [...parsed.v1],
    [
      ['name=systemd', '/user.slice'],
      ['cpu', '/kubepods/a:b'],
      ['cpuacct', '/kubepods/a:b'],
      ['memory', '/kubepods/a:b'],
    ],
  );
  assert.is(parsed.unified, '/kubepods/a:b');
  assert.is(parseProcCgroup('0::/\n').v1.size, 0);
});

test.run();
