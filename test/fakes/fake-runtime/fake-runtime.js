#!/usr/bin/env node
/**
 * A fake OCI runtime program with runc's command line, for driving the
 * runtime and process layers without containers.
 *
 * Every call appends one JSON line to $FAKE_RUNTIME_LOG (when set):
 *   { argv, subcommand, id, stdio: [readlink of fds 0-2], process?, resources? }
 * (process/resources: the parsed --process / --resources file, which the
 * caller removes right after the call).
 *
 * Behaviour:
 * - create starts a detached `sleep $FAKE_RUNTIME_INIT_SECONDS` (default 120)
 *   on the inherited stdio, as a container init would be, and writes its pid
 *   to --pid-file; exec does the same for the exec'd process. State lives in
 *   <root>/<id>/fake-state.json. kill/pause/resume signal those sleeps.
 * - Failures, per subcommand (SUB = the subcommand in upper case):
 *   FAKE_RUNTIME_FAIL_<SUB>=msg     error entry in the --log file (and msg on stderr, as runc does), exit 1
 *   FAKE_RUNTIME_STDERR_<SUB>=msg   msg on stderr only, exit 1 (like `crun ps`)
 *   FAKE_RUNTIME_EXIT_<SUB>=n       exit n silently
 *   FAKE_RUNTIME_SIGNAL_<SUB>=SIG   die by that signal
 *   annotation "fake-runtime/fail-<sub>": msg in the bundle's config.json
 *                                   like FAKE_RUNTIME_FAIL_<SUB>, for that container only
 * - Unknown ids fail with runc's "container does not exist".
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const GLOBAL_WITH_VALUE = new Set(['--root', '--log', '--log-format', '--criu', '--rootless']);
const GLOBAL_FLAGS = new Set(['--systemd-cgroup', '--debug']);

function parseGlobals(argv) {
  const globals = { root: '/run/fake-runtime', log: undefined, logFormat: 'text' };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (GLOBAL_WITH_VALUE.has(arg)) {
      const value = argv[++i];
      if (arg === '--root') globals.root = value;
      if (arg === '--log') globals.log = value;
      if (arg === '--log-format') globals.logFormat = value;
    } else if (!GLOBAL_FLAGS.has(arg)) {
      break;
    }
  }
  return { globals, subcommand: argv[i], rest: argv.slice(i + 1) };
}

/** Splits subcommand args into --flags (with values where the flag takes one) and operands. */
function parseSub(rest, withValue) {
  const flags = {};
  const operands = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg.startsWith('-') && operands.length === 0 && arg !== '-') {
      flags[arg] = withValue.includes(arg) ? rest[++i] : true;
    } else {
      operands.push(arg);
    }
  }
  return { flags, operands };
}

const { globals, subcommand, rest } = parseGlobals(process.argv.slice(2));
const VALUE_FLAGS = ['--bundle', '--pid-file', '--console-socket', '--process', '--format', '--resources', '--preserve-fds'];
const { flags, operands } = parseSub(rest, VALUE_FLAGS);
const id = operands[0];
const stateDir = id === undefined ? undefined : path.join(globals.root, id);
const stateFile = stateDir && path.join(stateDir, 'fake-state.json');

function fail(message, code = 1) {
  if (globals.log) {
    const time = new Date().toISOString();
    const line = globals.logFormat === 'json'
      ? JSON.stringify({ level: 'error', msg: message, time })
      : `time="${time}" level=error msg=${JSON.stringify(message)}`;
    fs.mkdirSync(path.dirname(globals.log), { recursive: true });
    fs.appendFileSync(globals.log, line + '\n');
  }
  process.stderr.write(message + '\n');
  process.exit(code);
}

/** Environment steering applies before anything else, so it works for unknown ids too. */
function steerByEnv() {
  const key = String(subcommand).toUpperCase();
  const env = process.env;
  if (env[`FAKE_RUNTIME_SIGNAL_${key}`]) process.kill(process.pid, env[`FAKE_RUNTIME_SIGNAL_${key}`]);
  if (env[`FAKE_RUNTIME_EXIT_${key}`]) process.exit(Number(env[`FAKE_RUNTIME_EXIT_${key}`]));
  if (env[`FAKE_RUNTIME_STDERR_${key}`]) {
    process.stderr.write(env[`FAKE_RUNTIME_STDERR_${key}`] + '\n');
    process.exit(1);
  }
  if (env[`FAKE_RUNTIME_FAIL_${key}`]) fail(env[`FAKE_RUNTIME_FAIL_${key}`]);
}

function steerByAnnotation(state) {
  const annotated = state && state.annotations && state.annotations[`fake-runtime/fail-${subcommand}`];
  if (annotated) fail(annotated);
}

function readJsonFile(file) {
  const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  return JSON.parse(text);
}

function record(extra) {
  const logFile = process.env.FAKE_RUNTIME_LOG;
  if (!logFile) return;
  const stdio = [0, 1, 2].map((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return null;
    }
  });
  fs.appendFileSync(logFile, JSON.stringify({ argv: process.argv.slice(2), subcommand, id, stdio, ...extra }) + '\n');
}

function loadState() {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function saveState(state) {
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(stateFile, JSON.stringify(state));
}

/** Alive and not a zombie: an exited sleep nobody has reaped yet counts as gone. */
function alive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function startSleeper(pidFile) {
  const seconds = process.env.FAKE_RUNTIME_INIT_SECONDS || '120';
  const child = spawn('sleep', [seconds], { detached: true, stdio: 'inherit' });
  child.unref();
  if (pidFile) fs.writeFileSync(pidFile, String(child.pid));
  return child.pid;
}

function statusOf(state) {
  return alive(state.pid) ? state.status : 'stopped';
}

function requireState() {
  const state = loadState();
  if (!state) fail('container does not exist');
  return state;
}

function main() {
  const extra = {};
  if (subcommand === 'exec' && typeof flags['--process'] === 'string') extra.process = readJsonFile(flags['--process']);
  if (subcommand === 'update' && typeof flags['--resources'] === 'string') extra.resources = readJsonFile(flags['--resources']);
  record(extra);
  steerByEnv();

  if (subcommand === 'create') {
    const bundle = typeof flags['--bundle'] === 'string' ? flags['--bundle'] : process.cwd();
    let config;
    try {
      config = readJsonFile(path.join(bundle, 'config.json'));
    } catch (err) {
      fail(`runc create failed: ${err.message}`);
    }
    const annotations = config.annotations || {};
    steerByAnnotation({ annotations });
    if (loadState()) fail('runc create failed: container with given ID already exists');
    const pid = startSleeper(flags['--pid-file']);
    saveState({ id, pid, status: 'created', bundle: path.resolve(bundle), annotations, execs: [], created: new Date().toISOString() });
    return;
  }

  if (subcommand === 'delete') {
    const state = loadState();
    steerByAnnotation(state);
    if (!state) {
      if (flags['--force'] || flags['-f']) return;
      fail('container does not exist');
    }
    if (alive(state.pid)) {
      if (!(flags['--force'] || flags['-f'])) fail(`cannot delete container ${id} that is not stopped: ${state.status}`);
      for (const pid of [state.pid, ...state.execs]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
    return;
  }

  const state = requireState();
  steerByAnnotation(state);
  const status = statusOf(state);
  switch (subcommand) {
    case 'start':
      if (status !== 'created') fail(`cannot start a container in the ${status} state`);
      saveState({ ...state, status: 'running' });
      return;
    case 'exec':
      if (status !== 'running') fail('cannot exec in a stopped container');
      saveState({ ...state, execs: [...state.execs, startSleeper(flags['--pid-file'])] });
      return;
    case 'kill': {
      const signal = /^\d+$/.test(operands[1] || '') ? Number(operands[1]) : operands[1] || 'SIGTERM';
      const all = flags['--all'] || flags['-a'];
      if (status === 'stopped') {
        if (all) return;
        fail('container not running');
      }
      for (const pid of all ? [state.pid, ...state.execs] : [state.pid]) if (alive(pid)) process.kill(pid, signal);
      return;
    }
    case 'pause':
    case 'resume':
      if (status === 'stopped') fail('container not running');
      for (const pid of [state.pid, ...state.execs]) if (alive(pid)) process.kill(pid, subcommand === 'pause' ? 'SIGSTOP' : 'SIGCONT');
      saveState({ ...state, status: subcommand === 'pause' ? 'paused' : 'running' });
      return;
    case 'ps': {
      const pids = [state.pid, ...state.execs].filter(alive);
      process.stdout.write(JSON.stringify(pids.length > 0 ? pids : null) + '\n');
      return;
    }
    case 'update':
      return;
    case 'state':
      process.stdout.write(JSON.stringify({
        ociVersion: '1.0.2-dev',
        id,
        pid: status === 'stopped' ? 0 : state.pid,
        status,
        bundle: state.bundle,
        rootfs: path.join(state.bundle, 'rootfs'),
        created: state.created,
        owner: '',
      }, null, 2) + '\n');
      return;
    default:
      fail(`fake runtime: unknown subcommand ${subcommand}`);
  }
}

main();
