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
      assert.equal(got, { keep: true, joinSandbox: want === 'join', hostSideNetwork: false }, name);
    } else {
      assert.is(got.keep, false, name);
      if (!got.keep) assert.match(got.why, want, name);
    }
  }
});

// With a runtime that joins namespaces before the user namespace (runc >= 1.2), the CNI network
// namespace is served from the host's side: the sandbox keeps a new user namespace, and its app
// containers join it there. With runc 1.1 nothing changes.
const hostSideSandbox = { ...podSandbox, hostSideNetwork: true };

test('usernsFeasibility: a CNI network namespace served from the host\'s side, per runtime join order', () => {
  const cases: Array<[string, FeasibilityInput, { joinSandbox: boolean; hostSideNetwork: boolean } | RegExp]> = [
    ['CRI pause joining the CNI netns, runtime joins first', { isSandbox: true, joined: ['network'], runtimeJoinsFirst: true }, { joinSandbox: false, hostSideNetwork: true }],
    [
      'containerd 2.x hostUsers:false pause, runtime joins first: the user namespace path is the grant\'s',
      { isSandbox: true, joined: ['network', 'user'], runtimeJoinsFirst: true },
      { joinSandbox: false, hostSideNetwork: true },
    ],
    ['CRI pause joining the CNI netns, runc 1.1', { isSandbox: true, joined: ['network'], runtimeJoinsFirst: false }, /\(network; .*runc < 1\.2.*EPERM.*EACCES/],
    ['a sandbox joining more than a network namespace', { isSandbox: true, joined: ['network', 'ipc'], runtimeJoinsFirst: true }, /\(ipc, network; .*only a network namespace is served from the host's side/],
    ['a sandbox joining an ipc namespace only', { isSandbox: true, joined: ['ipc'], runtimeJoinsFirst: true }, /\(ipc; /],
    [
      'app container of a host-side-network pod, runtime joins first',
      { isSandbox: false, joined: ['network', 'ipc', 'uts', 'user'], sandbox: hostSideSandbox, runtimeJoinsFirst: true },
      { joinSandbox: true, hostSideNetwork: true },
    ],
    [
      'app container of a host-side-network pod, through a runtime that joins the user namespace first',
      { isSandbox: false, joined: ['network', 'ipc'], sandbox: hostSideSandbox, runtimeJoinsFirst: false },
      /network namespace, which the host's user namespace owns.*runc < 1\.2: EPERM/,
    ],
    [
      'app container of a host-side-network pod that joins no network namespace',
      { isSandbox: false, joined: ['ipc'], sandbox: hostSideSandbox, runtimeJoinsFirst: false },
      { joinSandbox: true, hostSideNetwork: false },
    ],
    [
      'app container of a pod whose sandbox owns its network namespace: the join order does not matter',
      { isSandbox: false, joined: ['network', 'ipc'], sandbox: podSandbox, runtimeJoinsFirst: false },
      { joinSandbox: true, hostSideNetwork: false },
    ],
    [
      'app container of a host-side-network pod joining a namespace that is not its sandbox\'s',
      { isSandbox: false, joined: ['network', 'pid'], sandbox: { ...hostSideSandbox, own: ['network'] }, runtimeJoinsFirst: true },
      /not its pod sandbox's \(pid\)/,
    ],
    ['ctr container joining nothing, whatever the runtime', { isSandbox: true, joined: [], runtimeJoinsFirst: false }, { joinSandbox: false, hostSideNetwork: false }],
  ];
  for (const [name, input, want] of cases) {
    const got = usernsFeasibility(input);
    if (want instanceof RegExp) {
      assert.is(got.keep, false, name);
      if (!got.keep) assert.match(got.why, want, name);
    } else {
      assert.equal(got, { keep: true, ...want }, name);
    }
  }
});

test('usernsFeasibility: the reason names each joined type once, sorted', () => {
  const got = usernsFeasibility({ isSandbox: true, joined: ['uts', 'network', 'uts'] });
  assert.is(got.keep, false);
  if (!got.keep) assert.match(got.why, '(network, uts; ');
});

test.run();
