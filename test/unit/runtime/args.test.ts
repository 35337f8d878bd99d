import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createArgs,
  deleteArgs,
  execArgs,
  globalArgs,
  killArgs,
  pauseArgs,
  psArgs,
  resumeArgs,
  startArgs,
  stateArgs,
  updateArgs,
} from '../../../src/runtime/args';

// runc 1.1.5 and crun 1.8.1 take the same spellings (see their --help), so one table serves both.
const table: Array<[string, string[], string[]]> = [
  ['global', globalArgs({ root: '/run/r', logPath: '/b/log.json' }), ['--root', '/run/r', '--log', '/b/log.json', '--log-format', 'json']],
  ['global, logging to stderr', globalArgs({ root: '/run/r' }), ['--root', '/run/r', '--log-format', 'json']],
  [
    'global systemd',
    globalArgs({ root: '/run/r', logPath: '/b/log.json', systemdCgroup: true }),
    ['--root', '/run/r', '--log', '/b/log.json', '--log-format', 'json', '--systemd-cgroup'],
  ],
  ['create', createArgs({ id: 'c1', bundle: '/b', pidFile: '/b/init.pid' }), ['create', '--bundle', '/b', '--pid-file', '/b/init.pid', 'c1']],
  [
    'create all options',
    createArgs({ id: 'c1', bundle: '/b', pidFile: '/b/init.pid', noPivot: true, noNewKeyring: true, consoleSocket: '/tmp/s.sock' }),
    ['create', '--bundle', '/b', '--pid-file', '/b/init.pid', '--no-pivot', '--no-new-keyring', '--console-socket', '/tmp/s.sock', 'c1'],
  ],
  [
    'create false options',
    createArgs({ id: 'c1', bundle: '/b', pidFile: '/p', noPivot: false, noNewKeyring: false }),
    ['create', '--bundle', '/b', '--pid-file', '/p', 'c1'],
  ],
  ['start', startArgs('c1'), ['start', 'c1']],
  [
    'exec',
    execArgs({ id: 'c1', processPath: '/tmp/p.json', pidFile: '/b/e1.pid' }),
    ['exec', '--detach', '--pid-file', '/b/e1.pid', '--process', '/tmp/p.json', 'c1'],
  ],
  [
    'exec console',
    execArgs({ id: 'c1', processPath: '/tmp/p.json', pidFile: '/b/e1.pid', consoleSocket: '/tmp/c.sock' }),
    ['exec', '--detach', '--pid-file', '/b/e1.pid', '--process', '/tmp/p.json', '--console-socket', '/tmp/c.sock', 'c1'],
  ],
  ['kill', killArgs('c1', 15, false), ['kill', 'c1', '15']],
  ['kill all', killArgs('c1', 9, true), ['kill', '--all', 'c1', '9']],
  ['delete', deleteArgs('c1', false), ['delete', 'c1']],
  ['delete force', deleteArgs('c1', true), ['delete', '--force', 'c1']],
  ['pause', pauseArgs('c1'), ['pause', 'c1']],
  ['resume', resumeArgs('c1'), ['resume', 'c1']],
  ['ps', psArgs('c1'), ['ps', '--format', 'json', 'c1']],
  ['update stdin', updateArgs('c1', '-'), ['update', '--resources', '-', 'c1']],
  ['update file', updateArgs('c1', '/tmp/r.json'), ['update', '--resources', '/tmp/r.json', 'c1']],
  ['state', stateArgs('c1'), ['state', 'c1']],
];

for (const [name, actual, expected] of table) {
  test(`argv: ${name}`, () => {
    assert.equal(actual, expected);
  });
}

test.run();
