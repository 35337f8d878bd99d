import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createConnection } from 'node:net';
import {
  AlreadyExistsError,
  Code,
  DeadlineExceededError,
  NotFoundError,
  UnavailableError,
  UnimplementedError,
  UnknownError,
} from '../../../src/errors';
import { CallContext, ServiceMethods, TtrpcClient, TtrpcServer } from '../../../src/ttrpc';
import { HEADER_LENGTH, MAX_PAYLOAD, MessageType, encodeFrame } from '../../../src/ttrpc/frame';
import { RawPeer, gate, listen, makeTempDir } from './helpers';

const SVC = 'test.v1.Echo';

interface Fixture {
  server: TtrpcServer;
  path: string;
  /** How many Hang handlers have started. */
  hangs: number;
  /** Signal reasons seen by Hang handlers, in order. */
  aborts: unknown[];
  /** Each Gate call waits on the next gate in this list. */
  gates: Array<ReturnType<typeof gate<void>>>;
  /** Connections the server saw close, with the protocol error if any. */
  closes: Array<Error | undefined>;
}

function service(fx: Fixture): ServiceMethods {
  return {
    Echo: async (_ctx, payload) => payload,
    Empty: async () => new Uint8Array(0),
    Big: async (_ctx, payload) => Buffer.alloc(3 << 20, payload[0]),
    Context: async (ctx: CallContext) =>
      Buffer.from(JSON.stringify({ md: [...ctx.metadata], deadline: ctx.deadline ?? null, streamId: ctx.streamId })),
    Fail: async (_ctx, payload) => {
      if (Buffer.from(payload).toString() === 'notfound') throw new NotFoundError('container c1 not found');
      throw new Error('boom');
    },
    Hang: (ctx) => {
      fx.hangs++;
      return new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => {
          fx.aborts.push(ctx.signal.reason);
          reject(ctx.signal.reason);
        }),
      );
    },
    Gate: async (_ctx, payload) => {
      const g = gate<void>();
      fx.gates.push(g);
      await g.promise;
      return payload;
    },
  };
}

async function withServer(body: (fx: Fixture) => Promise<void>): Promise<void> {
  const tmp = makeTempDir();
  const closes: Array<Error | undefined> = [];
  const server = new TtrpcServer({ onConnectionClose: (_socket, error) => closes.push(error) });
  const fx: Fixture = { server, path: '', hangs: 0, aborts: [], gates: [], closes };
  server.register(SVC, service(fx));
  try {
    fx.path = (await listen(server, tmp.dir)).path;
    await body(fx);
  } finally {
    await server.close();
    tmp.cleanup();
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
}

test('concurrent calls are answered as they complete, matched by stream id', () =>
  withServer(async (fx) => {
    const client = await TtrpcClient.connect(fx.path);
    const order: string[] = [];
    const slow = client.call(SVC, 'Gate', Buffer.from('slow')).then((p) => order.push(Buffer.from(p).toString()));
    await until(() => fx.gates.length === 1, 'the slow call to start');
    const fast = client.call(SVC, 'Echo', Buffer.from('fast')).then((p) => order.push(Buffer.from(p).toString()));
    await fast;
    assert.equal(order, ['fast']);
    fx.gates[0].open();
    await slow;
    assert.equal(order, ['fast', 'slow']);

    // On the wire: stream 3's reply frame comes before stream 1's.
    const raw = await RawPeer.connect(fx.path);
    raw.sendRequest(1, { service: SVC, method: 'Gate', payload: Buffer.from('a') });
    await until(() => fx.gates.length === 2, 'the raw slow call to start');
    raw.sendRequest(3, { service: SVC, method: 'Echo', payload: Buffer.from('b') });
    assert.is((await raw.nextResponse()).streamId, 3);
    fx.gates[1].open();
    const first = await raw.nextResponse();
    assert.is(first.streamId, 1);
    assert.equal([...first.response.payload], [...Buffer.from('a')]);
    await raw.destroy();
    await client.close();
  }));

test('requests split into single bytes and coalesced into one write are all served', () =>
  withServer(async (fx) => {
    const raw = await RawPeer.connect(fx.path);
    const frames = [1, 3, 5].map((id) =>
      encodeFrame(id, MessageType.Request, 0, Buffer.concat([Buffer.from([0x0a, SVC.length]), Buffer.from(SVC), Buffer.from([0x12, 4]), Buffer.from('Echo')])),
    );
    for (const byte of frames[0]) raw.write(Buffer.of(byte));
    raw.write(Buffer.concat([frames[1], frames[2]]));
    const ids = [(await raw.nextResponse()).streamId, (await raw.nextResponse()).streamId, (await raw.nextResponse()).streamId];
    assert.equal(ids.sort(), [1, 3, 5]);
    await raw.destroy();
  }));

test('unknown service or method is Unimplemented with the name', () =>
  withServer(async (fx) => {
    const client = await TtrpcClient.connect(fx.path);
    const svcErr = await client.call('nope.v1.X', 'Echo', new Uint8Array(0)).catch((e: unknown) => e);
    assert.instance(svcErr, UnimplementedError);
    assert.is((svcErr as UnimplementedError).code, Code.Unimplemented);
    assert.is((svcErr as Error).message, 'service nope.v1.X');
    const methodErr = await client.call(SVC, 'Nope', new Uint8Array(0)).catch((e: unknown) => e);
    assert.instance(methodErr, UnimplementedError);
    assert.is((methodErr as Error).message, 'method Nope');
    // Names from Object.prototype are not methods.
    const protoErr = await client.call(SVC, 'toString', new Uint8Array(0)).catch((e: unknown) => e);
    assert.is((protoErr as Error).message, 'method toString');
    await client.close();
  }));

test('even or non-increasing stream ids get InvalidArgument and the connection stays usable', () =>
  withServer(async (fx) => {
    const raw = await RawPeer.connect(fx.path);
    const echo = { service: SVC, method: 'Echo', payload: Buffer.from('x') };
    raw.sendRequest(2, echo);
    let r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status?.code], [2, Code.InvalidArgument]);
    assert.match(r.response.status!.message, /odd/);
    raw.sendRequest(5, echo);
    r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status], [5, undefined]);
    for (const stale of [5, 3]) {
      raw.sendRequest(stale, echo);
      r = await raw.nextResponse();
      assert.equal([r.streamId, r.response.status?.code], [stale, Code.InvalidArgument]);
      assert.match(r.response.status!.message, /must increase/);
    }
    raw.sendRequest(7, echo);
    r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status, [...r.response.payload]], [7, undefined, [...Buffer.from('x')]]);
    await raw.destroy();
  }));

test('server deadline: DeadlineExceeded on the wire, the signal fires, a late result is dropped', () =>
  withServer(async (fx) => {
    const raw = await RawPeer.connect(fx.path);
    const started = Date.now();
    raw.sendRequest(1, { service: SVC, method: 'Hang', timeoutNano: 50e6 });
    let r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status], [1, { code: Code.DeadlineExceeded, message: 'context deadline exceeded' }]);
    assert.ok(Date.now() - started >= 45, 'not before the deadline');
    await until(() => fx.aborts.length === 1, 'the handler to see the abort');
    assert.instance(fx.aborts[0], DeadlineExceededError);

    raw.sendRequest(3, { service: SVC, method: 'Gate', payload: Buffer.from('late'), timeoutNano: 30e6 });
    r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status?.code], [3, Code.DeadlineExceeded]);
    fx.gates[0].open();
    raw.sendRequest(5, { service: SVC, method: 'Echo', payload: Buffer.from('next') });
    r = await raw.nextResponse();
    assert.is(r.streamId, 5, 'no second reply for stream 3');

    // A deadline already in the past is refused without running the handler.
    raw.sendRequest(7, { service: SVC, method: 'Gate', timeoutNano: -1 });
    r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status?.code, fx.gates.length], [7, Code.DeadlineExceeded, 1]);
    await raw.destroy();
  }));

test('metadata and deadline reach the handler', () =>
  withServer(async (fx) => {
    const client = await TtrpcClient.connect(fx.path);
    const before = Date.now();
    const out = await client.call(SVC, 'Context', new Uint8Array(0), {
      timeoutMs: 5000,
      metadata: { 'containerd-namespace-ttrpc': 'k8s.io', multi: ['a', 'b'] },
    });
    const seen = JSON.parse(Buffer.from(out).toString()) as { md: unknown; deadline: number; streamId: number };
    assert.equal(seen.md, [
      ['containerd-namespace-ttrpc', ['k8s.io']],
      ['multi', ['a', 'b']],
    ]);
    assert.ok(seen.deadline >= before + 4900 && seen.deadline <= Date.now() + 5000, `deadline ${seen.deadline}`);
    assert.is(seen.streamId, 1);
    const plain = JSON.parse(Buffer.from(await client.call(SVC, 'Context', new Uint8Array(0))).toString());
    assert.equal(plain, { md: [], deadline: null, streamId: 3 });
    await client.close();
  }));

test('malformed Request bytes get InvalidArgument and the connection stays usable', () =>
  withServer(async (fx) => {
    const raw = await RawPeer.connect(fx.path);
    raw.write(encodeFrame(1, MessageType.Request, 0, Uint8Array.from([0x0a, 0xff, 0x01])));
    let r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status?.code], [1, Code.InvalidArgument]);
    assert.match(r.response.status!.message, /^unmarshal request error: /);
    raw.sendRequest(3, { service: SVC, method: 'Echo', payload: Buffer.from('ok') });
    r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status], [3, undefined]);
    await raw.destroy();
  }));

test('an oversized frame gets ResourceExhausted and the next call on the connection works', () =>
  withServer(async (fx) => {
    const raw = await RawPeer.connect(fx.path);
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt32BE(MAX_PAYLOAD + 1, 0);
    header.writeUInt32BE(1, 4);
    header.writeUInt8(MessageType.Request, 8);
    raw.write(header);
    raw.write(Buffer.alloc(MAX_PAYLOAD + 1, 0x41));
    raw.sendRequest(3, { service: SVC, method: 'Echo', payload: Buffer.from('after') });
    let r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status?.code], [1, Code.ResourceExhausted]);
    assert.match(r.response.status!.message, /exceeds maximum message size of 4194304/);
    r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status, Buffer.from(r.response.payload).toString()], [3, undefined, 'after']);
    await raw.destroy();
  }));

test('a frame of unknown type closes only that connection', () =>
  withServer(async (fx) => {
    const client = await TtrpcClient.connect(fx.path);
    const raw = await RawPeer.connect(fx.path);
    raw.write(Buffer.from([0, 0, 0, 2, 0, 0, 0, 1, 0x7f, 0, 0xde, 0xad]));
    await raw.closed;
    await until(() => fx.closes.length === 1, 'the server to report the closed connection');
    assert.match(String(fx.closes[0]?.message), /unknown message type 0x7f/);
    assert.equal(Buffer.from(await client.call(SVC, 'Echo', Buffer.from('still here'))).toString(), 'still here');
    const other = await TtrpcClient.connect(fx.path);
    assert.equal(Buffer.from(await other.call(SVC, 'Echo', Buffer.from('new'))).toString(), 'new');
    await Promise.all([client.close(), other.close()]);
  }));

test('Data and Response frames from a client are ignored', () =>
  withServer(async (fx) => {
    const raw = await RawPeer.connect(fx.path);
    raw.write(encodeFrame(1, MessageType.Data, 0x01, Buffer.from('stream data')));
    raw.write(encodeFrame(3, MessageType.Response, 0, new Uint8Array(0)));
    raw.sendRequest(1, { service: SVC, method: 'Echo', payload: Buffer.from('x') });
    const r = await raw.nextResponse();
    assert.equal([r.streamId, r.response.status], [1, undefined]);
    await raw.destroy();
  }));

test('handler errors map through toStatus: NotFoundError is code 5, a plain Error is Unknown', () =>
  withServer(async (fx) => {
    const client = await TtrpcClient.connect(fx.path);
    const nf = await client.call(SVC, 'Fail', Buffer.from('notfound')).catch((e: unknown) => e);
    assert.instance(nf, NotFoundError);
    assert.equal([(nf as NotFoundError).code, (nf as Error).message], [5, 'container c1 not found']);
    const plain = await client.call(SVC, 'Fail', Buffer.from('plain')).catch((e: unknown) => e);
    assert.instance(plain, UnknownError);
    assert.equal([(plain as UnknownError).code, (plain as Error).message], [Code.Unknown, 'boom']);

    const raw = await RawPeer.connect(fx.path);
    raw.sendRequest(1, { service: SVC, method: 'Fail', payload: Buffer.from('notfound') });
    const r = await raw.nextResponse();
    assert.equal(r.response, { status: { code: 5, message: 'container c1 not found' }, payload: new Uint8Array(0) });
    await raw.destroy();
    await client.close();
  }));

test('an Empty reply is a Response frame of length 0', () =>
  withServer(async (fx) => {
    const raw = await RawPeer.connect(fx.path);
    raw.sendRequest(1, { service: SVC, method: 'Empty' });
    const r = await raw.nextResponse();
    assert.equal([r.streamId, r.length], [1, 0]);
    await raw.destroy();
  }));

test('large replies to many concurrent calls arrive whole (write backpressure)', () =>
  withServer(async (fx) => {
    const client = await TtrpcClient.connect(fx.path);
    const replies = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => client.call(SVC, 'Big', Uint8Array.of(n))));
    replies.forEach((reply, i) => {
      assert.is(reply.length, 3 << 20);
      assert.ok(reply.every((b) => b === i + 1), `reply ${i} is all ${i + 1}`);
    });
    await client.close();
  }));

test('connection close hook; server.close aborts handlers, rejects clients and stops accepting', async () => {
  let path = '';
  await withServer(async (fx) => {
    path = fx.path;
    const quiet = await TtrpcClient.connect(fx.path);
    await quiet.close();
    await until(() => fx.closes.length === 1, 'the close hook');
    assert.is(fx.closes[0], undefined);

    const client = await TtrpcClient.connect(fx.path);
    const pending = client.call(SVC, 'Hang', new Uint8Array(0)).catch((e: unknown) => e);
    await until(() => fx.hangs === 1, 'the call to start');
    await fx.server.close();
    assert.instance(await pending, UnavailableError);
    assert.instance(fx.aborts[0], UnavailableError);
    await client.closed;
  });
  const refused = await new Promise<Error>((resolve) => createConnection(path).once('error', resolve));
  assert.match(refused.message, /ENOENT|ECONNREFUSED/);
});

test('close() does not hang on a peer that stopped reading', () =>
  withServer(async (fx) => {
    const raw = await RawPeer.connect(fx.path);
    raw.socket.pause();
    for (const id of [1, 3, 5, 7]) raw.sendRequest(id, { service: SVC, method: 'Big', payload: Uint8Array.of(id) });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await fx.server.close();
    assert.ok(Date.now() - started < 5000);
    await raw.destroy();
  }));

test('registering a service twice is AlreadyExists', () => {
  const server = new TtrpcServer();
  server.register('a.B', {});
  assert.throws(() => server.register('a.B', {}), (e: unknown) => e instanceof AlreadyExistsError);
});

test.run();
