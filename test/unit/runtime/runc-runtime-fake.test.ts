/** RuncRuntime against the fake runtime program: exact argv, files, error extraction. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { promises as fs, openSync, closeSync, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Code, ShimError } from '../../../src/errors';
import { RuncRuntime, type RuncRuntimeOptions } from '../../../src/runtime';
import { plainRunner } from '../../../src/sys/run-command';

const FAKE = path.resolve(__dirname, '../../../../test/fakes/fake-runtime/fake-runtime.js');

interface Recorded {
  argv: string[];
  subcommand: string;
  id: string;
  stdio: Array<string | null>;
  process?: unknown;
  resources?: unknown;
}

let dir = '';
let root = '';
let bundle = '';
let scratch = '';
let record = '';
const steering: string[] = [];

function runtime(extra: Partial<RuncRuntimeOptions> = {}): RuncRuntime {
  return new RuncRuntime({ binary: FAKE, root, runner: plainRunner, tempDir: scratch, ...extra });
}

function steer(name: string, value: string): void {
  process.env[name] = value;
  steering.push(name);
}

async function calls(): Promise<Recorded[]> {
  const text = await fs.readFile(record, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Recorded);
}

async function lastCall(): Promise<Recorded> {
  const all = await calls();
  return all[all.length - 1];
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

async function writeConfig(annotations: Record<string, string> = {}): Promise<void> {
  await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', annotations }));
}

const create = (rt: RuncRuntime, id = 'c1') =>
  rt.create({ id, bundle, pidFile: path.join(bundle, 'init.pid'), stdio: ['ignore', 'ignore', 'ignore'] });

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(condition(), 'condition not met within 5 s');
}

test.before.each(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'runc-runtime-fake-'));
  root = path.join(dir, 'root');
  bundle = path.join(dir, 'bundle');
  scratch = path.join(dir, 'scratch');
  record = path.join(dir, 'calls.jsonl');
  await Promise.all([fs.mkdir(bundle), fs.mkdir(scratch)]);
  await writeConfig();
  steer('FAKE_RUNTIME_LOG', record);
});

test.after.each(async () => {
  // Kill whatever sleeps the fake left behind, whatever the test did.
  const ids = await fs.readdir(root).catch(() => [] as string[]);
  for (const id of ids) {
    const state = JSON.parse(await fs.readFile(path.join(root, id, 'fake-state.json'), 'utf8')) as { pid: number; execs: number[] };
    for (const pid of [state.pid, ...state.execs]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const name of steering.splice(0)) delete process.env[name];
  await fs.rm(dir, { recursive: true, force: true });
});

test('create: exact argv, log in the bundle, pid file of the running init', async () => {
  const rt = runtime();
  await rt.create({
    id: 'c1',
    bundle,
    pidFile: path.join(bundle, 'init.pid'),
    stdio: ['ignore', 'ignore', 'ignore'],
    noPivot: true,
    consoleSocket: '/tmp/console.sock',
  });
  const call = await lastCall();
  assert.equal(call.argv, [
    '--root', root, '--log', path.join(bundle, 'log.json'), '--log-format', 'json',
    'create', '--bundle', bundle, '--pid-file', path.join(bundle, 'init.pid'), '--no-pivot', '--console-socket', '/tmp/console.sock', 'c1',
  ]);
  assert.equal(call.stdio, ['/dev/null', '/dev/null', '/dev/null']);
  const pid = Number(await fs.readFile(path.join(bundle, 'init.pid'), 'utf8'));
  assert.ok(alive(pid));
  assert.equal(await fs.readdir(scratch), []);
});

test('create: the given fds become the runtime stdio (and so the container stdio)', async () => {
  const out = path.join(dir, 'stdout.txt');
  const fd = openSync(out, 'w');
  try {
    await runtime().create({ id: 'c1', bundle, pidFile: path.join(bundle, 'init.pid'), stdio: ['ignore', fd, 'ignore'] });
  } finally {
    closeSync(fd);
  }
  assert.equal((await lastCall()).stdio, ['/dev/null', out, '/dev/null']);
});

test('lifecycle: argv of every call, state and ps parsed, systemd flag', async () => {
  const rt = runtime({ systemdCgroup: true });
  await create(rt);
  const created = await rt.state('c1');
  assert.is(created.status, 'created');
  assert.is(created.id, 'c1');
  assert.is(created.bundle, bundle);
  await rt.start('c1');
  assert.is((await rt.state('c1')).status, 'running');
  assert.equal(await rt.ps('c1'), [created.pid]);
  await rt.pause('c1');
  assert.is((await rt.state('c1')).status, 'paused');
  await rt.resume('c1');
  await rt.kill('c1', 9, true);
  await until(() => !alive(created.pid));
  await rt.delete('c1', false);
  assert.is((await rejection(rt.state('c1'))).code, Code.NotFound);
  const words = (await calls()).map((c) => c.argv.slice(c.argv.indexOf('--log-format') + 2));
  assert.equal(words.slice(0, 10), [
    ['--systemd-cgroup', 'create', '--bundle', bundle, '--pid-file', path.join(bundle, 'init.pid'), 'c1'],
    ['--systemd-cgroup', 'state', 'c1'],
    ['--systemd-cgroup', 'start', 'c1'],
    ['--systemd-cgroup', 'state', 'c1'],
    ['--systemd-cgroup', 'ps', '--format', 'json', 'c1'],
    ['--systemd-cgroup', 'pause', 'c1'],
    ['--systemd-cgroup', 'state', 'c1'],
    ['--systemd-cgroup', 'resume', 'c1'],
    ['--systemd-cgroup', 'kill', '--all', 'c1', '9'],
    ['--systemd-cgroup', 'delete', 'c1'],
  ]);
  assert.equal(await fs.readdir(scratch), [], 'scratch logs are removed');
});

test('exec: the process JSON goes through a scratch file that is removed', async () => {
  const rt = runtime();
  await create(rt);
  await rt.start('c1');
  const processSpec = { args: ['sleep', '5'], cwd: '/', env: ['A=b'], user: { uid: 0, gid: 0 }, terminal: false };
  await rt.exec({ id: 'c1', process: processSpec, pidFile: path.join(bundle, 'e1.pid'), stdio: ['ignore', 'ignore', 'ignore'] });
  const call = await lastCall();
  assert.equal(call.process, processSpec);
  const processPath = call.argv[call.argv.indexOf('--process') + 1];
  assert.ok(processPath.startsWith(scratch + path.sep), processPath);
  assert.equal(call.argv.slice(4, 6), ['--log-format', 'json']);
  assert.equal(call.argv.slice(6), ['exec', '--detach', '--pid-file', path.join(bundle, 'e1.pid'), '--process', processPath, 'c1']);
  assert.is(call.argv[3], path.join(path.dirname(processPath), 'log.json'));
  assert.equal(await fs.readdir(scratch), []);
  const execPid = Number(await fs.readFile(path.join(bundle, 'e1.pid'), 'utf8'));
  assert.equal((await rt.ps('c1')).sort(), [(await rt.state('c1')).pid, execPid].sort());
});

test('update: resources go through a file (crun cannot open a socket as /dev/stdin)', async () => {
  const rt = runtime();
  await create(rt);
  const resources = { memory: { limit: 1048576 }, cpu: { shares: 512 } };
  await rt.update('c1', resources);
  const call = await lastCall();
  assert.equal(call.resources, resources);
  assert.is(call.argv[call.argv.length - 1], 'c1');
  assert.equal(await fs.readdir(scratch), []);
});

test('errors: the message is the logged error, and classified', async () => {
  const rt = runtime();
  steer('FAKE_RUNTIME_FAIL_CREATE', 'runc create failed: unable to start container process: exec: "x": not found');
  const err = await rejection(create(rt));
  assert.is(err.code, Code.Unknown);
  assert.is(err.message, 'runc create failed: unable to start container process: exec: "x": not found');
});

test('errors: unknown ids are NotFound; delete --force of one succeeds', async () => {
  const rt = runtime();
  const attempts = [() => rt.state('nope'), () => rt.start('nope'), () => rt.kill('nope', 15, false), () => rt.delete('nope', false), () => rt.ps('nope')];
  for (const attempt of attempts) {
    const err = await rejection(attempt());
    assert.is(err.code, Code.NotFound);
    assert.is(err.message, 'container does not exist');
  }
  await rt.delete('nope', true);
});

test('errors: killing a stopped init is NotFound (the process already finished)', async () => {
  const rt = runtime();
  await create(rt);
  const { pid } = await rt.state('c1');
  await rt.kill('c1', 9, false);
  await until(() => !alive(pid));
  const err = await rejection(rt.kill('c1', 9, false));
  assert.is(err.code, Code.NotFound);
  assert.is(err.message, 'container not running');
  await rt.kill('c1', 9, true);
  await rt.delete('c1', false);
});

test('errors: an annotation fails one call of one container', async () => {
  await writeConfig({ 'fake-runtime/fail-pause': 'cannot pause: freezer busy' });
  const rt = runtime();
  await create(rt);
  const err = await rejection(rt.pause('c1'));
  assert.is(err.message, 'cannot pause: freezer busy');
  await rt.delete('c1', true);
});

test('errors: with one shared log, only this call’s lines count', async () => {
  const logPath = path.join(bundle, 'log.json');
  const rt = runtime({ logPath });
  steer('FAKE_RUNTIME_FAIL_START', 'start went wrong');
  await create(rt);
  assert.is((await rejection(rt.start('c1'))).message, 'start went wrong');
  steer('FAKE_RUNTIME_EXIT_STATE', '2');
  assert.is((await rejection(rt.state('c1'))).message, `${FAKE} state failed: exit status 2`);
  assert.ok((await calls()).every((c) => c.argv[3] === logPath), 'every call logs to the shared file');
  await rt.delete('c1', true);
});

test('errors: stderr when the runtime logged nothing (crun ps)', async () => {
  const rt = runtime();
  steer('FAKE_RUNTIME_STDERR_PS', 'error opening file `' + root + '/c9/status`: No such file or directory');
  const err = await rejection(rt.ps('c9'));
  assert.is(err.code, Code.NotFound);
  assert.is(err.message, 'error opening file `' + root + '/c9/status`: No such file or directory');
});

test('errors: a runtime killed by a signal', async () => {
  steer('FAKE_RUNTIME_SIGNAL_RESUME', 'SIGKILL');
  const err = await rejection(runtime().resume('c1'));
  assert.is(err.message, `${FAKE} resume failed: killed by signal SIGKILL`);
});

test('errors: a missing binary is FailedPrecondition naming it', async () => {
  const err = await rejection(runtime({ binary: 'metassembly-no-such-runtime' }).state('c1'));
  assert.is(err.code, Code.FailedPrecondition);
  assert.match(err.message, /^OCI runtime "metassembly-no-such-runtime" was not found in PATH/);
  assert.equal(await fs.readdir(scratch), []);
});

test('queries log to stderr: no --log, no scratch, the JSON error entry is the message', async () => {
  const script = path.join(dir, 'json-stderr');
  const warning = JSON.stringify({ level: 'warning', msg: 'later noise' });
  const error = JSON.stringify({ level: 'error', msg: 'container does not exist' });
  await fs.writeFile(script, `#!/bin/sh\necho "$*" > ${path.join(dir, 'argv')}\necho '${error}' >&2\necho '${warning}' >&2\nexit 1\n`, { mode: 0o755 });
  const err = await rejection(runtime({ binary: script }).kill('c1', 15, false));
  assert.is(err.code, Code.NotFound);
  assert.is(err.message, 'container does not exist');
  assert.is((await fs.readFile(path.join(dir, 'argv'), 'utf8')).trim(), `--root ${root} --log-format json kill c1 15`);
  assert.equal(await fs.readdir(scratch), []);
});

test('state: output that is not a state is an error', async () => {
  const script = path.join(dir, 'say-hello');
  await fs.writeFile(script, '#!/bin/sh\necho "{\\"hello\\": 1}"\n', { mode: 0o755 });
  const err = await rejection(runtime({ binary: script }).state('c1'));
  assert.is(err.code, Code.Unknown);
  assert.match(err.message, /state: unexpected output/);
});

test.run();
