/**
 * Smoke tests of RuncRuntime against the real runc and crun (root only).
 * Skipped when not root, or when the runtime or busybox-static is missing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'child_process';
import { existsSync, promises as fs, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Code, ShimError } from '../../../src/errors';
import { RuncRuntime } from '../../../src/runtime';
import { plainRunner } from '../../../src/sys/run-command';
import { BUSYBOX, makeBusyboxBundle, type BundleEdits } from './busybox-bundle';

const runner = plainRunner;

function skipReason(binary: string): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (BUSYBOX === undefined) return 'busybox-static is not installed';
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' });
  } catch {
    return `${binary} is not installed`;
  }
  return undefined;
}

/**
 * crun 1.8.1 refuses hybrid hosts whose cgroup2 mount still holds a
 * controller (here hugetlb): "cgroups in hybrid mode not supported, drop all
 * controllers from cgroupv2", whatever the config says.
 */
function hybridWithV2Controllers(): boolean {
  const controllers = '/sys/fs/cgroup/unified/cgroup.controllers';
  return existsSync(controllers) && readFileSync(controllers, 'utf8').trim() !== '';
}

async function rejection(promise: Promise<unknown>): Promise<ShimError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, ShimError);
    return err as ShimError;
  }
  throw new Error('expected a rejection');
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/** A bundle, a state root and an id; everything is removed (container included) afterwards. */
async function withContainer(
  binary: string,
  edits: BundleEdits,
  use: (rt: RuncRuntime, id: string, bundle: string) => Promise<void>,
): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `runtime-real-${binary}-`));
  const root = path.join(dir, 'state');
  const bundle = path.join(dir, 'bundle');
  const id = `metassembly-rt-${process.pid}`;
  try {
    await makeBusyboxBundle(runner, binary, bundle, edits);
    await use(new RuncRuntime({ binary, root, runner }), id, bundle);
  } finally {
    await runner.run(binary, ['--root', root, 'delete', '--force', id], { stdio: ['ignore', 'ignore', 'ignore'] });
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function pidsLimit(pid: number): string {
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => /^\d+:pids:/.test(l));
  if (line === undefined) throw new Error('no pids cgroup');
  return readFileSync(path.join('/sys/fs/cgroup/pids', line.split(':')[2], 'pids.max'), 'utf8').trim();
}

async function lifecycle(binary: string): Promise<void> {
  await withContainer(binary, {}, async (rt, id, bundle) => {
    const pidFile = path.join(bundle, 'init.pid');
    await rt.create({ id, bundle, pidFile, stdio: ['ignore', 'ignore', 'ignore'] });
    const created = await rt.state(id);
    assert.is(created.status, 'created');
    assert.is(created.bundle, bundle);
    assert.is(created.pid, Number(await fs.readFile(pidFile, 'utf8')));
    assert.ok((await fs.readdir(bundle)).includes('log.json'), 'create logs into the bundle');

    await rt.start(id);
    assert.is((await rt.state(id)).status, 'running');
    assert.equal(await rt.ps(id), [created.pid]);

    const execPidFile = path.join(bundle, 'exec1.pid');
    await rt.exec({
      id,
      process: { args: ['sleep', '20'], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 }, terminal: false },
      pidFile: execPidFile,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const execPid = Number(await fs.readFile(execPidFile, 'utf8'));
    assert.equal((await rt.ps(id)).sort(), [created.pid, execPid].sort());

    await rt.update(id, { pids: { limit: 50 } });
    assert.is(pidsLimit(created.pid), '50');

    await rt.pause(id);
    assert.is((await rt.state(id)).status, 'paused');
    await rt.resume(id);
    assert.is((await rt.state(id)).status, 'running');

    await rt.kill(id, 9, false);
    const stopped = await until(() => rt.state(id), (s) => s.status === 'stopped');
    assert.is(stopped.status, 'stopped');
    const late = await rejection(rt.kill(id, 9, false));
    assert.is(late.code, Code.NotFound, late.message);
    await rt.kill(id, 9, true);

    await rt.delete(id, false);
    const gone = await rejection(rt.state(id));
    assert.is(gone.code, Code.NotFound);
    await rt.delete(id, true);
  });
}

// ---------------------------------------------------------------- runc
const runc = suite('runc');
const runcSkip = skipReason('runc');

(runcSkip ? runc.skip : runc)(`lifecycle through RuncRuntime${runcSkip ? ` (${runcSkip})` : ''}`, () => lifecycle('runc'));

(runcSkip ? runc.skip : runc)('an invalid config.json fails with the message from runc’s log', async () => {
  await withContainer('runc', { cwd: 'relative/dir' }, async (rt, id, bundle) => {
    const err = await rejection(rt.create({ id, bundle, pidFile: path.join(bundle, 'init.pid'), stdio: ['ignore', 'ignore', 'ignore'] }));
    assert.is(err.code, Code.Unknown);
    assert.is(err.message, 'runc create failed: Cwd must be an absolute path');
  });
});

(runcSkip ? runc.skip : runc)('a taken id is AlreadyExists; unknown ids are NotFound', async () => {
  await withContainer('runc', {}, async (rt, id, bundle) => {
    const create = () => rt.create({ id, bundle, pidFile: path.join(bundle, 'init.pid'), stdio: ['ignore', 'ignore', 'ignore'] });
    await create();
    const taken = await rejection(create());
    assert.is(taken.code, Code.AlreadyExists);
    assert.is(taken.message, 'runc create failed: container with given ID already exists');
    for (const attempt of [() => rt.state('nope'), () => rt.kill('nope', 15, false), () => rt.delete('nope', false), () => rt.ps('nope')]) {
      const err = await rejection(attempt());
      assert.is(err.code, Code.NotFound);
      assert.is(err.message, 'container does not exist');
    }
    await rt.delete('nope', true);
  });
});

runc.run();

// ---------------------------------------------------------------- crun
const crun = suite('crun');
const crunSkip = skipReason('crun');

(crunSkip ? crun.skip : crun)('lifecycle through RuncRuntime, or the hybrid-host refusal', async () => {
  if (!hybridWithV2Controllers()) return lifecycle('crun');
  await withContainer('crun', {}, async (rt, id, bundle) => {
    const err = await rejection(rt.create({ id, bundle, pidFile: path.join(bundle, 'init.pid'), stdio: ['ignore', 'ignore', 'ignore'] }));
    assert.is(err.code, Code.Unknown);
    assert.is(err.message, 'cgroups in hybrid mode not supported, drop all controllers from cgroupv2');
  });
});

(crunSkip ? crun.skip : crun)('ociVersion 1.2.0 (newer containerd) is refused by crun 1.8.1', async () => {
  await withContainer('crun', { ociVersion: '1.2.0' }, async (rt, id, bundle) => {
    const err = await rejection(rt.create({ id, bundle, pidFile: path.join(bundle, 'init.pid'), stdio: ['ignore', 'ignore', 'ignore'] }));
    assert.is(err.message, 'unknown version specified');
  });
});

(crunSkip ? crun.skip : crun)('unknown ids are NotFound with crun’s own messages', async () => {
  await withContainer('crun', {}, async (rt, _id, bundle) => {
    const root = path.join(path.dirname(bundle), 'state');
    const attempts = [
      () => rt.state('nope'),
      () => rt.start('nope'),
      () => rt.kill('nope', 15, false),
      () => rt.kill('nope', 9, true),
      () => rt.pause('nope'),
      () => rt.resume('nope'),
      () => rt.update('nope', { pids: { limit: 10 } }),
      // crun ps says it on stderr only
      () => rt.ps('nope'),
    ];
    for (const attempt of attempts) {
      const err = await rejection(attempt());
      assert.is(err.code, Code.NotFound, err.message);
      assert.is(err.message, `error opening file \`${root}/nope/status\`: No such file or directory`);
    }
    const deleted = await rejection(rt.delete('nope', false));
    assert.is(deleted.code, Code.NotFound);
    assert.is(deleted.message, `cannot open directory '${root}/nope': No such file or directory`);
    await rt.delete('nope', true);
  });
});

crun.run();
