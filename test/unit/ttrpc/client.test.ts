import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import {
  AlreadyExistsError,
  Code,
  DeadlineExceededError,
  InternalError,
  ResourceExhaustedError,
  UnavailableError,
} from '../../../src/errors';
import { TtrpcClient } from '../../../src/ttrpc';
import { HEADER_LENGTH, MAX_PAYLOAD, MessageType, encodeFrame } from '../../../src/ttrpc/frame';
import { decodeRequest } from '../../../src/ttrpc/messages';
import { RawPeer, makeTempDir, rawServer } from './helpers';

type RawServer = Awaited<ReturnType<typeof rawServer>>;

async function withRawServer(body: (srv: RawServer, client: TtrpcClient, peer: RawPeer) => Promise<void>): Promise<void> {
  const tmp = makeTempDir();
  const srv = await rawServer(tmp.dir);
  const client = await TtrpcClient.connect(srv.path);
  try {
    await body(srv, client, await srv.accepted());
  } finally {
    await client.close();
    await srv.close();
    tmp.cleanup();
  }
}

const EMPTY = new Uint8Array(0);

test('stream ids are 1, 3, 5; timeout_nano and metadata go on the wire', () =>
  withRawServer(async (_srv, client, peer) => {
    const calls = [
      client.call('s.v1.S', 'A', Buffer.from('p')),
      client.call('s.v1.S', 'B', EMPTY, { timeoutMs: 250, metadata: { 'containerd-namespace-ttrpc': 'default' } }),
      client.call('s.v1.S', 'C', EMPTY),
    ];
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const { header, payload } = await peer.nextFrame();
      assert.equal([header.type, header.flags], [MessageType.Request, 0]);
      seen.push({ id: header.streamId, req: decodeRequest(payload) });
    }
    assert.equal(seen.map((s) => s.id), [1, 3, 5]);
    assert.equal(seen.map((s) => s.req.method), ['A', 'B', 'C']);
    assert.equal(Buffer.from(seen[0].req.payload).toString(), 'p');
    assert.equal([seen[0].req.timeoutNano, seen[2].req.timeoutNano], [0, 0]);
    assert.is(seen[1].req.timeoutNano, 250e6);
    assert.equal(seen[1].req.metadata, [{ key: 'containerd-namespace-ttrpc', value: 'default' }]);
    // Answer out of order; each call gets its own reply.
    peer.sendResponse(5, { payload: Buffer.from('c') });
    peer.sendResponse(1, { payload: Buffer.from('a') });
    peer.sendResponse(3, { status: { code: Code.AlreadyExists, message: 'exec e1 exists' }, payload: EMPTY });
    const [a, b, c] = await Promise.allSettled(calls);
    assert.equal(a.status === 'fulfilled' && Buffer.from(a.value).toString(), 'a');
    assert.equal(c.status === 'fulfilled' && Buffer.from(c.value).toString(), 'c');
    assert.ok(b.status === 'rejected' && b.reason instanceof AlreadyExistsError);
  }));

test('client deadline rejects locally; a late reply is ignored and the connection goes on', () =>
  withRawServer(async (_srv, client, peer) => {
    const started = Date.now();
    const err = await client.call('s.v1.S', 'Slow', EMPTY, { timeoutMs: 50 }).catch((e: unknown) => e);
    assert.instance(err, DeadlineExceededError);
    assert.ok(Date.now() - started < 1000);
    const first = await peer.nextFrame();
    peer.sendResponse(first.header.streamId, { payload: Buffer.from('too late') });
    const next = client.call('s.v1.S', 'Fast', EMPTY);
    const second = await peer.nextFrame();
    assert.is(second.header.streamId, 3);
    peer.sendResponse(3, { payload: Buffer.from('on time') });
    assert.is(Buffer.from(await next).toString(), 'on time');
    assert.instance(await client.call('s', 'm', EMPTY, { timeoutMs: 0 }).catch((e: unknown) => e), DeadlineExceededError);
  }));

test('the peer closing rejects pending calls with Unavailable, and later calls too', () =>
  withRawServer(async (_srv, client, peer) => {
    const pending = [client.call('s', 'A', EMPTY), client.call('s', 'B', EMPTY)].map((p) => p.catch((e: unknown) => e));
    await peer.nextFrame();
    await peer.destroy();
    for (const err of await Promise.all(pending)) assert.instance(err, UnavailableError);
    await client.closed;
    assert.instance(await client.call('s', 'C', EMPTY).catch((e: unknown) => e), UnavailableError);
  }));

test('close() rejects pending calls and resolves once closed', () =>
  withRawServer(async (_srv, client, peer) => {
    const pending = client.call('s', 'A', EMPTY).catch((e: unknown) => e);
    await peer.nextFrame();
    await client.close();
    const err = await pending;
    assert.instance(err, UnavailableError);
    assert.is((err as UnavailableError).code, Code.Unavailable);
    await peer.closed;
  }));

test('a malformed or oversized reply fails only its own call', () =>
  withRawServer(async (_srv, client, peer) => {
    const bad = client.call('s', 'A', EMPTY).catch((e: unknown) => e);
    const big = client.call('s', 'B', EMPTY).catch((e: unknown) => e);
    const good = client.call('s', 'C', EMPTY);
    for (let i = 0; i < 3; i++) await peer.nextFrame();
    peer.write(encodeFrame(1, MessageType.Response, 0, Uint8Array.from([0x12, 0x7f])));
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt32BE(MAX_PAYLOAD + 10, 0);
    header.writeUInt32BE(3, 4);
    header.writeUInt8(MessageType.Response, 8);
    peer.write(header);
    peer.write(Buffer.alloc(MAX_PAYLOAD + 10));
    peer.sendResponse(5, { payload: Buffer.from('fine') });
    assert.instance(await bad, InternalError);
    assert.instance(await big, ResourceExhaustedError);
    assert.is(Buffer.from(await good).toString(), 'fine');
  }));

test('a frame of unknown type from the server fails every pending call', () =>
  withRawServer(async (_srv, client, peer) => {
    const pending = client.call('s', 'A', EMPTY).catch((e: unknown) => e);
    await peer.nextFrame();
    peer.write(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 0x42, 0]));
    const err = await pending;
    assert.instance(err, UnavailableError);
    assert.match((err as Error).message, /unknown message type/);
    await client.closed;
  }));

test('connecting to a missing socket is Unavailable', async () => {
  const tmp = makeTempDir();
  try {
    const err = await TtrpcClient.connect(join(tmp.dir, 'missing.sock')).catch((e: unknown) => e);
    assert.instance(err, UnavailableError);
    assert.match((err as Error).message, /ENOENT/);
  } finally {
    tmp.cleanup();
  }
});

test('a request over the size limit is refused before sending', () =>
  withRawServer(async (_srv, client) => {
    const err = await client.call('s', 'A', new Uint8Array(MAX_PAYLOAD)).catch((e: unknown) => e);
    assert.instance(err, ResourceExhaustedError);
  }));

test.run();
