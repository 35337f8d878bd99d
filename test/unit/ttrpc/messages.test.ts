import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code } from '../../../src/errors';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../../src/ttrpc/messages';
import { fromKeyValues, toKeyValues } from '../../../src/ttrpc/metadata';

test('request round trip, including repeated metadata keys and a large timeout', () => {
  const req = {
    service: 'containerd.task.v2.Task',
    method: 'State',
    payload: Buffer.from([1, 2, 3]),
    timeoutNano: 30 * 24 * 3600 * 1e9,
    metadata: [
      { key: 'a', value: '1' },
      { key: 'a', value: '2' },
      { key: 'b', value: '' },
    ],
  };
  assert.equal(decodeRequest(encodeRequest(req)), req);
});

test('defaults are left out: an empty request and an OK empty response are zero bytes', () => {
  assert.is(encodeRequest({ service: '', method: '', payload: new Uint8Array(0), timeoutNano: 0, metadata: [] }).length, 0);
  assert.is(encodeResponse({ payload: new Uint8Array(0) }).length, 0);
  assert.is(encodeResponse({ status: { code: Code.OK, message: '' }, payload: new Uint8Array(0) }).length, 0);
  assert.equal(decodeResponse(new Uint8Array(0)), { payload: new Uint8Array(0) });
});

test('error response carries only the status', () => {
  const bytes = encodeResponse({ status: { code: Code.NotFound, message: 'nope' }, payload: new Uint8Array(0) });
  // {1: {1: 5, 2: "nope"}}
  assert.equal([...bytes], [0x0a, 0x08, 0x08, 0x05, 0x12, 0x04, 0x6e, 0x6f, 0x70, 0x65]);
  assert.equal(decodeResponse(bytes), { status: { code: Code.NotFound, message: 'nope' }, payload: new Uint8Array(0) });
});

test('unknown fields (e.g. Status.details) are skipped', () => {
  // Response{status{code:3, details:[Any{type_url:"t"}]}, payload:"p", 9:varint 1}
  const bytes = Uint8Array.from([0x0a, 0x07, 0x08, 0x03, 0x1a, 0x03, 0x0a, 0x01, 0x74, 0x12, 0x01, 0x70, 0x48, 0x01]);
  const res = decodeResponse(bytes);
  assert.equal(res.status, { code: Code.InvalidArgument, message: '' });
  assert.equal([...res.payload], [0x70]);
});

test('truncated or ill-formed requests throw', () => {
  assert.throws(() => decodeRequest(Uint8Array.from([0x0a, 0xff, 0x01])));
  assert.throws(() => decodeRequest(Uint8Array.from([0x0f]))); // wire type 7 does not exist
  // metadata entry whose inner string runs past the entry's own length
  assert.throws(() => decodeRequest(Uint8Array.from([0x2a, 0x02, 0x0a, 0x05, 0x61, 0x61, 0x61, 0x61, 0x61])));
});

test('metadata helpers: record and map forms, repeated keys kept in order', () => {
  assert.equal(toKeyValues({ ns: 'k8s.io', multi: ['x', 'y'] }), [
    { key: 'ns', value: 'k8s.io' },
    { key: 'multi', value: 'x' },
    { key: 'multi', value: 'y' },
  ]);
  assert.equal(toKeyValues(new Map([['a', ['1']]])), [{ key: 'a', value: '1' }]);
  assert.equal(toKeyValues(undefined), []);
  const md = fromKeyValues([
    { key: 'a', value: '1' },
    { key: 'b', value: '2' },
    { key: 'a', value: '3' },
  ]);
  assert.equal([...md.entries()], [
    ['a', ['1', '3']],
    ['b', ['2']],
  ]);
});

test.run();
