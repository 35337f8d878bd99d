import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { groupId, socketPath } from '../../../src/bootstrap/socket-address';

test('socket path: /run/containerd/s/<sha256>, short enough for sun_path, differs per group and namespace', () => {
  const a = socketPath('/run/containerd/containerd.sock', 'k8s.io', 'pod1');
  assert.match(a, /^\/run\/containerd\/s\/[0-9a-f]{64}$/);
  assert.ok(a.length <= 106);
  assert.is.not(a, socketPath('/run/containerd/containerd.sock', 'k8s.io', 'pod2'));
  assert.is.not(a, socketPath('/run/containerd/containerd.sock', 'default', 'pod1'));
  assert.is(a, socketPath('/run/containerd/containerd.sock', 'k8s.io', 'pod1'));
});

test('group: explicit annotation, then the pod (when grouping by pod), then the task', () => {
  const cri = { 'io.kubernetes.cri.sandbox-id': 'sb1' };
  assert.is(groupId('t', { ...cri, 'io.containerd.metassembly.v2.group': 'g' }, 'pod'), 'g');
  assert.is(groupId('t', cri, 'pod'), 'sb1');
  assert.is(groupId('t', cri, 'container'), 't');
  assert.is(groupId('t', undefined, 'pod'), 't');
});

test.run();
