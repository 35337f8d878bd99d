import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listensAt } from '../../../src/bootstrap/unix-listeners';

const ours = '/run/containerd/s/9baa2557704d779688815fd10df8ec05498a6520397a0cf31f0eab36955f69b5';
const header = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
const line = (flags: string, type: string, state: string, path: string): string =>
  `00000000fd25b801: 00000002 00000000 ${flags} ${type} ${state} 2146877${path ? ` ${path}` : ''}\n`;

const cases: Array<[string, string, boolean]> = [
  ['a listening stream socket on the path', line('00010000', '0001', '01', ours), true],
  ['only its accepted connection (same path, not listening)', line('00000000', '0001', '03', ours), false],
  ['bound but not listening yet', line('00000000', '0001', '01', ours), false],
  ['a listening seqpacket socket', line('00010000', '0005', '01', ours), false],
  ['another path', line('00010000', '0001', '01', `${ours.slice(0, -1)}0`), false],
  ['a longer path ending in ours, with a space', line('00010000', '0001', '01', `/x ${ours}`), false],
  ['a path with ours as a prefix', line('00010000', '0001', '01', `${ours}x`), false],
  ['unnamed sockets only', line('00010000', '0001', '01', ''), false],
  ['empty table', '', false],
  [
    'the connection listed first, the listener after it',
    line('00000000', '0001', '03', ours) + line('00000000', '0001', '03', '') + line('00010000', '0001', '01', ours),
    true,
  ],
];

for (const [name, rows, expected] of cases) {
  test(`listensAt: ${name}`, () => {
    assert.is(listensAt(header + rows, ours), expected);
  });
}

test.run();
