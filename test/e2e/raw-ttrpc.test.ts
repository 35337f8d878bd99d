import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code } from '../../src/errors';
import { MAX_PAYLOAD, TtrpcClient } from '../../src/ttrpc';
import { MessageType } from '../../src/ttrpc/frame';
import { StateRequest, StateResponse, Status, TASK_SERVICE_V2 } from '../../src/wire/task';
import { availableVersions, busyboxRunFlags } from './harness';
import { shimSocketPath } from './support/bundle';
import { ctrOk, initPid, removeTask } from './support/ctr';
import { RawTtrpc, frameHeader, requestFrame } from './support/raw-ttrpc';
import { shimLeakCheck } from './support/shim-leak-check';
import { withShimContainerd } from './support/shim-session';
import { fileNamespace, shimRuntime } from './support/shim-under-test';

// Hostile bytes on a running shim's socket: each may cost at most its own connection.
const ns = fileNamespace('ttrpc');
// Sockets and fifos are checked per test, where they can be told apart from other runs'.
const fileCheck = shimLeakCheck(ns, { unnamedFiles: false });
const stateOf = (id: string): Uint8Array => StateRequest.encode({ id }).finish();

/** State of a task over a fresh, well-behaved connection. */
async function stateOverNewConnection(socket: string, id: string): Promise<StateResponse> {
  const client = await TtrpcClient.connect(socket);
  try {
    return StateResponse.decode(await client.call(TASK_SERVICE_V2, 'State', stateOf(id), { timeoutMs: 5_000 }));
  } finally {
    await client.close();
  }
}

for (const v of availableVersions()) {
  test(`containerd ${v.version}: malformed, oversized and unknown ttrpc requests leave the shim serving`, async () => {
    await withShimContainerd(v.series, ns, async (cd) => {
      await ctrOk(cd, ['run', '-d', '--runtime', shimRuntime, ...busyboxRunFlags(), 'tt1', 'sleep', '300']);
      const socket = shimSocketPath(cd, 'tt1');
      const pid = await initPid(cd, 'tt1');

      // A frame of an unknown type: the stream cannot be trusted any more, so only it closes.
      const garbage = await RawTtrpc.connect(socket);
      const bystander = await RawTtrpc.connect(socket);
      garbage.send(Buffer.concat([frameHeader(4, 1, 0x7f), Buffer.from('junk')]));
      assert.ok(await garbage.closesWithin(3_000), 'the connection with garbage is closed');
      bystander.send(requestFrame(1, TASK_SERVICE_V2, 'State', stateOf('tt1')));
      const seen = await bystander.reply(1);
      assert.equal(seen.status?.code ?? Code.OK, Code.OK, 'another open connection is untouched');
      bystander.close();

      // A frame over the 4 MiB limit is skipped whole and answered ResourceExhausted; the
      // connection stays in step and serves the next request.
      const big = await RawTtrpc.connect(socket);
      big.send(frameHeader(MAX_PAYLOAD + 1, 1, MessageType.Request));
      big.send(Buffer.alloc(MAX_PAYLOAD + 1));
      big.send(requestFrame(3, TASK_SERVICE_V2, 'State', stateOf('tt1')));
      const tooBig = await big.reply(1, 10_000);
      assert.equal(tooBig.status?.code, Code.ResourceExhausted, JSON.stringify(tooBig.status));
      const next = await big.reply(3);
      assert.equal(next.status?.code ?? Code.OK, Code.OK, JSON.stringify(next.status));
      assert.equal(StateResponse.decode(next.payload).pid, pid);

      // Unknown method and unknown service: Unimplemented, worded as Go's ttrpc does.
      big.send(requestFrame(5, TASK_SERVICE_V2, 'Frobnicate', new Uint8Array()));
      big.send(requestFrame(7, 'no.such.Service', 'State', stateOf('tt1')));
      const noMethod = await big.reply(5);
      assert.equal(noMethod.status, { code: Code.Unimplemented, message: 'method Frobnicate' });
      const noService = await big.reply(7);
      assert.equal(noService.status, { code: Code.Unimplemented, message: 'service no.such.Service' });
      assert.not.ok(await big.closesWithin(200), 'errors in replies do not close the connection');
      big.close();

      // After all that, a new connection gets State, and containerd's own connection still works.
      const state = await stateOverNewConnection(socket, 'tt1');
      assert.equal(state.status, Status.RUNNING);
      assert.equal(state.pid, pid);
      await ctrOk(cd, ['task', 'ps', 'tt1']);
      await removeTask(cd, 'tt1');
    });
  });
}

test('after the whole file: no shim process, mount, cgroup, socket, fifo or runtime state is left', async () => {
  const leaks = await fileCheck.settledLeaks();
  await fileCheck.cleanup();
  assert.equal(leaks, []);
});

test.run();
