import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameHeader, FrameParser, HEADER_LENGTH, MAX_PAYLOAD, MessageType, encodeFrame } from '../../../src/ttrpc/frame';
import { decodeRequest, encodeRequest } from '../../../src/ttrpc/messages';

interface Seen {
  frames: Array<{ header: FrameHeader; payload: number[] }>;
  oversized: FrameHeader[];
  corrupt: string[];
}

function collector(): { parser: FrameParser; seen: Seen } {
  const seen: Seen = { frames: [], oversized: [], corrupt: [] };
  const parser = new FrameParser({
    frame: (header, payload) => seen.frames.push({ header, payload: [...payload] }),
    oversized: (header) => seen.oversized.push(header),
    corrupt: (reason) => seen.corrupt.push(reason),
  });
  return { parser, seen };
}

// Request{service:"svc", method:"Do", payload:{08 01}, timeout_nano:1e9, metadata:[{k,v}]} on stream 1,
// encoded by hand from the field table in PROTOCOL.md.
const GOLDEN_REQUEST_FRAME = Buffer.from([
  0x00, 0x00, 0x00, 0x1b, // length 27 (payload only), big-endian
  0x00, 0x00, 0x00, 0x01, // stream id 1
  0x01, // type Request
  0x00, // flags: unary
  0x0a, 0x03, 0x73, 0x76, 0x63, // 1: service "svc"
  0x12, 0x02, 0x44, 0x6f, // 2: method "Do"
  0x1a, 0x02, 0x08, 0x01, // 3: payload bytes
  0x20, 0x80, 0x94, 0xeb, 0xdc, 0x03, // 4: timeout_nano varint 1000000000
  0x2a, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x76, // 5: metadata {key:"k", value:"v"}
]);

test('golden Request frame matches the bytes derived from the spec', () => {
  const body = encodeRequest({
    service: 'svc',
    method: 'Do',
    payload: Uint8Array.of(0x08, 0x01),
    timeoutNano: 1_000_000_000,
    metadata: [{ key: 'k', value: 'v' }],
  });
  const frame = encodeFrame(1, MessageType.Request, 0, body);
  assert.equal([...frame], [...GOLDEN_REQUEST_FRAME]);

  const { parser, seen } = collector();
  parser.push(GOLDEN_REQUEST_FRAME);
  assert.is(seen.frames.length, 1);
  assert.equal(seen.frames[0].header, { length: 27, streamId: 1, type: MessageType.Request, flags: 0 });
  const req = decodeRequest(Uint8Array.from(seen.frames[0].payload));
  assert.equal({ ...req, payload: [...req.payload] }, {
    service: 'svc',
    method: 'Do',
    payload: [0x08, 0x01],
    timeoutNano: 1_000_000_000,
    metadata: [{ key: 'k', value: 'v' }],
  });
});

test('header layout: big-endian length and stream id, then type and flags', () => {
  const frame = encodeFrame(0x01020304, MessageType.Data, 0x05, Uint8Array.of(0xaa, 0xbb));
  assert.equal([...frame], [0, 0, 0, 2, 1, 2, 3, 4, 3, 5, 0xaa, 0xbb]);
  assert.is(encodeFrame(7, MessageType.Response, 0, new Uint8Array(0)).length, HEADER_LENGTH);
});

test('encodeFrame refuses payloads over the limit', () => {
  assert.throws(() => encodeFrame(1, MessageType.Request, 0, new Uint8Array(MAX_PAYLOAD + 1)), /exceeds/);
});

test('frames split at every byte boundary and coalesced come out whole and in order', () => {
  const a = encodeFrame(1, MessageType.Request, 0, Buffer.from('hello'));
  const b = encodeFrame(3, MessageType.Response, 0, new Uint8Array(0));
  const c = encodeFrame(5, MessageType.Data, 1, Buffer.from('xyz'));
  const stream = Buffer.concat([a, b, c]);
  const expected = [
    { streamId: 1, type: MessageType.Request, payload: [...Buffer.from('hello')] },
    { streamId: 3, type: MessageType.Response, payload: [] },
    { streamId: 5, type: MessageType.Data, payload: [...Buffer.from('xyz')] },
  ];
  for (let cut1 = 0; cut1 <= stream.length; cut1++) {
    for (let cut2 = cut1; cut2 <= stream.length; cut2++) {
      const { parser, seen } = collector();
      parser.push(stream.subarray(0, cut1));
      parser.push(stream.subarray(cut1, cut2));
      parser.push(stream.subarray(cut2));
      const got = seen.frames.map((f) => ({ streamId: f.header.streamId, type: f.header.type, payload: f.payload }));
      assert.equal(got, expected, `cuts at ${cut1}/${cut2}`);
    }
  }
});

test('one byte at a time', () => {
  const frame = encodeFrame(9, MessageType.Request, 0, Buffer.from('abcdef'));
  const { parser, seen } = collector();
  for (const byte of frame) parser.push(Buffer.of(byte));
  assert.is(seen.frames.length, 1);
  assert.equal(seen.frames[0].payload, [...Buffer.from('abcdef')]);
});

test('an oversized frame is skipped and reported, and the next frame still parses', () => {
  const { parser, seen } = collector();
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt32BE(MAX_PAYLOAD + 1, 0);
  header.writeUInt32BE(1, 4);
  header.writeUInt8(MessageType.Request, 8);
  parser.push(header);
  // Feed the oversized payload in chunks; nothing may be emitted until it has all been skipped.
  const chunk = Buffer.alloc(64 * 1024);
  let left = MAX_PAYLOAD + 1;
  while (left > chunk.length) {
    parser.push(chunk);
    left -= chunk.length;
  }
  assert.is(seen.oversized.length, 0);
  parser.push(Buffer.concat([chunk.subarray(0, left), encodeFrame(3, MessageType.Request, 0, Buffer.from('ok'))]));
  assert.equal(seen.oversized.map((h) => [h.streamId, h.length]), [[1, MAX_PAYLOAD + 1]]);
  assert.equal(seen.frames.map((f) => f.header.streamId), [3]);
});

test('an unknown message type stops the parser for good', () => {
  const { parser, seen } = collector();
  const bad = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 0x09, 0]);
  parser.push(Buffer.concat([bad, encodeFrame(3, MessageType.Request, 0, Buffer.from('x'))]));
  parser.push(encodeFrame(5, MessageType.Request, 0, Buffer.from('y')));
  assert.is(seen.corrupt.length, 1);
  assert.match(seen.corrupt[0], /unknown message type 0x9/);
  assert.is(seen.frames.length, 0);
});

test.run();
