import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { usernsFeasibility, type FeasibilityInput } from '../../../src/task/userns-feasibility';

// Which containers keep the pod's user namespace, by the namespaces they join: the layouts
// are the ones containerd makes (ctr: nothing joined; CRI pause: the CNI netns file; CRI app
// container: the pause's net file and /proc/<pause>/ns/{ipc,uts,user}).

const podSandbox = { inPodUserNamespace: true, own: ['network', 'ipc', 'uts', 'pid'] };

test('usernsFeasibility: keep or run in the host\'s, per layout', () => {
  const cases: Array<[string, FeasibilityInput, 'new' | 'join' | RegExp]> = [
    ['ctr container, its own pod, joins nothing', { isSandbox: true, joined: [] }, 'new'],
    ['app container that joins nothing gets a new one on the pod range', { isSandbox: false, joined: [], sandbox: podSandbox }, 'new'],
    ['a requested user namespace path alone is the grant\'s to decide', { isSandbox: true, joined: ['user'] }, 'new'],
    ['CRI pause joining the CNI netns', { isSandbox: true, joined: ['network'] }, /^joins namespaces made outside the pod's user namespace \(network; .*EPERM.*EACCES/],
    ['containerd 2.x hostUsers:false pause (netns and user ns by path)', { isSandbox: true, joined: ['network', 'user'] }, /\(network; /],
    [
      'app container of a pod whose sandbox is in the pod user namespace',
      { isSandbox: false, joined: ['network', 'ipc', 'uts', 'user'], sandbox: podSandbox },
      'join',
    ],
    [
      'app container of a pod whose sandbox runs in the host\'s',
      { isSandbox: false, joined: ['network', 'ipc', 'uts'], sandbox: { inPodUserNamespace: false, own: ['network', 'ipc', 'uts'] } },
      /the pod's sandbox runs in the host's user namespace/,
    ],
    ['app container whose sandbox this shim does not serve', { isSandbox: false, joined: ['network'] }, /does not serve/],
    [
      'app container joining a namespace that is not its sandbox\'s',
      { isSandbox: false, joined: ['network', 'ipc'], sandbox: { inPodUserNamespace: true, own: ['ipc'] } },
      /not its pod sandbox's \(network\)/,
    ],
  ];
  for (const [name, input, want] of cases) {
    const got = usernsFeasibility(input);
    if (want === 'new' || want === 'join') {
      assert.equal(got, { keep: true, joinSandbox: want === 'join' }, name);
    } else {
      assert.is(got.keep, false, name);
      if (!got.keep) assert.match(got.why, want, name);
    }
  }
});

test('usernsFeasibility: the reason names each joined type once, sorted', () => {
  const got = usernsFeasibility({ isSandbox: true, joined: ['uts', 'network', 'uts'] });
  assert.is(got.keep, false);
  if (!got.keep) assert.match(got.why, '(network, uts; ');
});

test.run();
