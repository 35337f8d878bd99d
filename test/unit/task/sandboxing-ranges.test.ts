/**
 * sandboxSpec and the pod's user-namespace range: pods are named per containerd namespace, a
 * mapping the spec arrives with (Kubernetes hostUsers: false) is passed to the allocator, which
 * honours a valid one and refuses the rest, and the result names what the init must hold.
 * The allocator is the real one over a temp state file and a fake process table.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultConfig } from '../../../src/config/config';
import { Code, type ShimError } from '../../../src/errors';
import { NativeSys } from '../../../src/sys/native-sys';
import { sandboxSpec, type IdRange, type SandboxingDeps, type UserNamespaceRanges } from '../../../src/task/sandboxing';
import { RANGE_SIZE, UsernsAllocator } from '../../../src/userns';
import { fakeHost } from '../userns/support/fake-processes';

const base = 2 ** 30;
const nth = (i: number) => base + i * RANGE_SIZE;
const dirs: string[] = [];

function allocator(): { ranges: UserNamespaceRanges; calls: Array<[string, IdRange | undefined, string]> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-sandboxing-'));
  dirs.push(dir);
  const real = new UsernsAllocator({ sys: new NativeSys(), partition: 'default', statePath: path.join(dir, 'userns.json'), pool: { start: base, count: 4 }, processes: fakeHost() });
  const calls: Array<[string, IdRange | undefined, string]> = [];
  return {
    calls,
    ranges: {
      allocate: (pod, requested, container) => {
        calls.push([pod, requested, container]);
        return real.allocate(pod, requested, container);
      },
      hold: (pod, container, pid) => real.hold(pod, container, pid),
      release: (pod) => real.release(pod),
    },
  };
}

function deps(ranges: UserNamespaceRanges, userNamespaceMappings?: SandboxingDeps['userNamespaceMappings']): SandboxingDeps {
  return { ranges: () => ranges, audit: () => undefined, userNamespaceMappings };
}

/** A fake port answering the kernel's text for every path in `real`, ENOENT-like errors for the rest; records the paths asked. */
function realMaps(real: Record<string, { uidMap: string; gidMap: string }>): { port: NonNullable<SandboxingDeps['userNamespaceMappings']>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    port: (p) => {
      asked.push(p);
      const maps = real[p];
      if (maps === undefined) throw Object.assign(new Error(`EINVAL: Invalid argument, setns '${p}'`), { code: 'EINVAL' });
      return maps;
    },
  };
}

/** The kernel's text of one-extent maps, padded as /proc shows them. */
const kernelText = (m: IdRange): { uidMap: string; gidMap: string } => {
  const line = (x: IdRange['uidMappings'][number]): string => `${String(x.containerID).padStart(10)} ${String(x.hostID).padStart(10)} ${String(x.size).padStart(10)}\n`;
  return { uidMap: m.uidMappings.map(line).join(''), gidMap: m.gidMappings.map(line).join('') };
};

const mapping = (hostID: number, size = RANGE_SIZE): IdRange => ({
  uidMappings: [{ containerID: 0, hostID, size }],
  gidMappings: [{ containerID: 0, hostID, size }],
});

function spec(linux: object = {}): object {
  return {
    ociVersion: '1.0.2',
    process: { args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 } },
    root: { path: 'rootfs' },
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }], ...linux },
  };
}

const withUserns = (m: IdRange): object => spec({ namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'user' }], ...m });

function input(id: string, requested: object, namespace = 'ns1', sandboxPid?: number) {
  return { namespace, id, bundle: `/run/b/${id}`, requested: requested as never, config: defaultConfig(), sandboxPid: () => sandboxPid };
}

/** A spec joining a user namespace by path with the mappings it states (containerd 2.x's pinned one). */
const joiningUserns = (userPath: string, m: IdRange): object =>
  spec({ namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'user', path: userPath }], ...m });

type Namespaces = { linux: { namespaces: Array<{ type: string; path?: string }> } };
const userEntry = (out: { spec: object }) => (out.spec as Namespaces).linux.namespaces.find((ns) => ns.type === 'user');

async function rejection(promise: Promise<unknown>): Promise<ShimError> {
  try {
    await promise;
  } catch (err) {
    return err as ShimError;
  }
  throw new Error('expected a rejection');
}

test('without a requested mapping the allocator picks; the pod is named within its namespace; the init must hold it', async () => {
  const a = allocator();
  const out = await sandboxSpec(deps(a.ranges), input('web', spec()));
  assert.equal(a.calls, [['ns1/web', undefined, 'ns1/web']]);
  assert.equal(out.range, { pod: 'ns1/web', container: 'ns1/web' });
  assert.equal(out.idmap?.mapping.uidMappings, mapping(nth(0)).uidMappings);
  const other = await sandboxSpec(deps(a.ranges), input('web', spec(), 'ns2'));
  assert.is(other.idmap?.mapping.uidMappings[0].hostID, nth(1), 'another namespace\'s "web" is another pod');
});

test('a valid requested mapping is honoured exactly', async () => {
  const a = allocator();
  const out = await sandboxSpec(deps(a.ranges), input('k8s', withUserns(mapping(nth(2)))));
  assert.equal(a.calls[0][1], mapping(nth(2)));
  assert.equal(out.idmap?.mapping.gidMappings, mapping(nth(2)).gidMappings);
  assert.equal((out.spec as { linux: IdRange }).linux.uidMappings, mapping(nth(2)).uidMappings);
});

test('a requested range another live pod holds is refused', async () => {
  const a = allocator();
  await sandboxSpec(deps(a.ranges), input('first', withUserns(mapping(nth(1)))));
  const err = await rejection(sandboxSpec(deps(a.ranges), input('second', withUserns(mapping(nth(1))))));
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /range 1073807360 is held by pod ns1\/first/);
});

test('an invalid requested mapping is refused with what is wrong and what the host gives', async () => {
  const a = allocator();
  const cases: Array<[IdRange, RegExp]> = [
    [mapping(nth(1), 1000), /does not map container ids 0-65535/],
    [mapping(65536), /is not a range of the pool/],
    [{ uidMappings: mapping(nth(1)).uidMappings, gidMappings: mapping(nth(2)).gidMappings }, /maps gids differently from uids/],
    [{ uidMappings: mapping(nth(1)).uidMappings, gidMappings: [] }, /is not exactly one uid and one gid line/],
  ];
  for (const [m, why] of cases) {
    const err = await rejection(sandboxSpec(deps(a.ranges), input('bad', withUserns(m))));
    assert.is(err.code, Code.InvalidArgument);
    assert.match(err.message, why);
    assert.match(err.message, /this host gives each pod container ids 0-65535/);
  }
});

test('mappings without a new user namespace (or joining one by path) are no request', async () => {
  const a = allocator();
  await sandboxSpec(deps(a.ranges), input('plain', spec(mapping(nth(3)))));
  assert.is(a.calls[0][1], undefined);
});

test('a pinned user namespace (path + mappings, containerd 2.x): joined, its range allocated as requested, its rootfs already shifted', async () => {
  const a = allocator();
  const pinned = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'metassembly-pinned-')), 'user');
  dirs.push(path.dirname(pinned));
  fs.writeFileSync(pinned, '');
  const out = await sandboxSpec(deps(a.ranges), input('pod', joiningUserns(pinned, mapping(nth(2)))));
  assert.equal(a.calls, [['ns1/pod', mapping(nth(2)), 'ns1/pod']]);
  assert.equal(userEntry(out), { type: 'user', path: pinned });
  assert.is(out.idmap?.alreadyShifted, true, 'a plain bind: containerd\'s mount applied the mapping');
  // an app container of that pod joins its sandbox's, whatever path it names
  const app = await sandboxSpec(deps(a.ranges), input('app', { ...joiningUserns(pinned, mapping(nth(2))), annotations: { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': 'pod' } }, 'ns1', 4242));
  assert.equal(userEntry(app), { type: 'user', path: '/proc/4242/ns/user' });
  // a stated range outside the pool is refused, as any requested one
  const err = await rejection(sandboxSpec(deps(a.ranges), input('far', joiningUserns(pinned, mapping(65536)))));
  assert.is(err.code, Code.InvalidArgument);
  assert.match(err.message, /is not a range of the pool/);
});

test('a path to the host\'s user namespace is never joined, whatever mappings it states: the pod gets a range of its own', async () => {
  const a = allocator();
  const out = await sandboxSpec(deps(a.ranges), input('sneaky', joiningUserns('/proc/self/ns/user', mapping(nth(1)))));
  assert.equal(a.calls, [['ns1/sneaky', undefined, 'ns1/sneaky']], 'no request honoured');
  assert.equal(userEntry(out), { type: 'user' }, 'a new user namespace, not the host\'s');
  assert.is(out.idmap?.mapping.uidMappings[0].hostID, nth(0));
  assert.is(out.idmap?.alreadyShifted, false);
});

test('a pinned namespace whose real maps are the stated ones is joined; the check reads the path the sandbox joins', async () => {
  const a = allocator();
  const real = realMaps({ '/run/netns/pinned-user': kernelText(mapping(nth(2))) });
  const out = await sandboxSpec(deps(a.ranges, real.port), input('pod', joiningUserns('/run/netns/pinned-user', mapping(nth(2)))));
  assert.equal(real.asked, ['/run/netns/pinned-user']);
  assert.equal(a.calls, [['ns1/pod', mapping(nth(2)), 'ns1/pod']]);
  assert.equal(userEntry(out), { type: 'user', path: '/run/netns/pinned-user' });
  // an app container joins its sandbox's namespace, checked when the sandbox was created: not read again
  await sandboxSpec(deps(a.ranges, real.port), input('app', { ...joiningUserns('/run/netns/pinned-user', mapping(nth(2))), annotations: { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': 'pod' } }, 'ns1', 4242));
  assert.equal(real.asked, ['/run/netns/pinned-user']);
});

test('the real maps are compared as extents, in any order', async () => {
  const a = allocator();
  const stated = mapping(nth(1));
  const real = realMaps({ '/pinned': { uidMap: `0 ${nth(1)} 65536\n`, gidMap: `   0   ${nth(1)}   65536\n` } });
  await sandboxSpec(deps(a.ranges, real.port), input('pod', joiningUserns('/pinned', stated)));
  assert.is(a.calls.length, 1);
});

test('a pinned namespace whose real maps differ from the stated ones (another pod\'s) is refused, naming the path and both; nothing is allocated', async () => {
  const a = allocator();
  const owned = await sandboxSpec(deps(a.ranges), input('victim', withUserns(mapping(nth(1)))));
  assert.is(owned.idmap?.mapping.uidMappings[0].hostID, nth(1));
  const cases: Array<[string, { uidMap: string; gidMap: string }, RegExp]> = [
    ['the victim pod\'s', kernelText(mapping(nth(1))), new RegExp(`maps uids 0 ${nth(1)} 65536; gids 0 ${nth(1)} 65536, not the stated uids 0 ${nth(2)} 65536; gids 0 ${nth(2)} 65536`)],
    ['gids only differ', { uidMap: kernelText(mapping(nth(2))).uidMap, gidMap: kernelText(mapping(nth(1))).gidMap }, new RegExp(`gids 0 ${nth(1)} 65536, not the stated`)],
    ['a wider one', kernelText(mapping(nth(2), 2 * RANGE_SIZE)), /maps uids 0 \d+ 131072/],
    ['an extra extent', { uidMap: kernelText(mapping(nth(2))).uidMap + '65536 0 1\n', gidMap: kernelText(mapping(nth(2))).gidMap }, /65536 0 1; gids/],
    ['no maps written', { uidMap: '', gidMap: '' }, /maps uids none; gids none, not the stated/],
  ];
  for (const [what, maps, why] of cases) {
    const real = realMaps({ '/proc/999/ns/user': maps });
    const calls = a.calls.length;
    const err = await rejection(sandboxSpec(deps(a.ranges, real.port), input('thief', joiningUserns('/proc/999/ns/user', mapping(nth(2))))));
    assert.is(err.code, Code.InvalidArgument, what);
    assert.match(err.message, /the user namespace \/proc\/999\/ns\/user the spec joins/, what);
    assert.match(err.message, why, what);
    assert.is(a.calls.length, calls, `${what}: nothing allocated`);
  }
  // the stated range is still free: a pod that really has it gets it
  const real = realMaps({ '/honest': kernelText(mapping(nth(2))) });
  const honest = await sandboxSpec(deps(a.ranges, real.port), input('honest', joiningUserns('/honest', mapping(nth(2)))));
  assert.is(honest.idmap?.mapping.uidMappings[0].hostID, nth(2));
});

test('a pinned path that is no user namespace, or whose maps cannot be read or parsed, is refused; nothing is allocated', async () => {
  const a = allocator();
  const cases: Array<[SandboxingDeps['userNamespaceMappings'], RegExp]> = [
    [realMaps({}).port, /EINVAL: Invalid argument, setns '\/proc\/self\/ns\/net'/],
    [() => ({ uidMap: 'garbage\n', gidMap: '' }), /not an id map line: "garbage"/],
  ];
  for (const [port, why] of cases) {
    const err = await rejection(sandboxSpec(deps(a.ranges, port), input('odd', joiningUserns('/proc/self/ns/net', mapping(nth(2))))));
    assert.is(err.code, Code.InvalidArgument);
    assert.match(err.message, /the user namespace \/proc\/self\/ns\/net the spec joins cannot be checked against its stated mappings \(uids 0 \d+ 65536; gids 0 \d+ 65536\)/);
    assert.match(err.message, why);
  }
  assert.equal(a.calls, []);
});

test('the host\'s own user namespace is never read: it is not joined at all', async () => {
  const a = allocator();
  const real = realMaps({});
  await sandboxSpec(deps(a.ranges, real.port), input('sneaky', joiningUserns('/proc/self/ns/user', mapping(nth(1)))));
  assert.equal(real.asked, []);
});

test.after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
