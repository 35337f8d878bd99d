import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeDeleteResponse } from '../../../src/bootstrap/delete-response';
import { DeleteResponse } from '../../../src/wire/task';
import { timestampFromDate } from '../../../src/wire/timestamp';

const cases: Array<[number, number, Date]> = [
  [779, 137, new Date(1_700_000_000_123)],
  [0, 137, new Date(1_700_000_000_000)],
  [4_000_000, 0, new Date(1_234_567)],
  [1, 255, new Date(0)],
];

for (const [pid, status, at] of cases) {
  test(`hand-encoded DeleteResponse matches the codec: pid ${pid} status ${status} at ${at.getTime()}`, () => {
    const ours = Buffer.from(encodeDeleteResponse(pid, status, at));
    const codec = Buffer.from(DeleteResponse.encode({ pid, exitStatus: status, exitedAt: timestampFromDate(at) }).finish());
    const decoded = DeleteResponse.decode(ours);
    assert.is(decoded.pid, pid);
    assert.is(decoded.exitStatus, status);
    // the codec may omit an all-zero timestamp; the fields that are there must agree
    if (at.getTime() !== 0) assert.is(ours.toString('hex'), codec.toString('hex'));
  });
}

test('runc-v2 sample: pid 779, status 137 starts 08 8b 06 10 89 01 1a', () => {
  const bytes = Buffer.from(encodeDeleteResponse(779, 137, new Date(1_700_000_000_000)));
  assert.is(bytes.subarray(0, 7).toString('hex'), '088b061089011a');
});

test.run();
