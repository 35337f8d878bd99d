import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { anyIs, packAny, packJsonAny, unpackAny, unpackJsonAny } from '../../../src/wire/any';
import { OCI_PROCESS_TYPE_URL } from '../../../src/wire/type-urls';
import { Code, InvalidArgumentError } from '../../../src/errors';

test('bare proto names match prefixed type URLs by their last segment', () => {
  assert.ok(anyIs({ typeUrl: 'containerd.runc.v1.Options' }, 'containerd.runc.v1.Options'));
  assert.ok(anyIs({ typeUrl: 'type.googleapis.com/containerd.runc.v1.Options' }, 'containerd.runc.v1.Options'));
  assert.not.ok(anyIs({ typeUrl: 'containerd.runc.v1.OptionsX' }, 'containerd.runc.v1.Options'));
  assert.not.ok(anyIs({}, 'containerd.runc.v1.Options'));
});

test('OCI JSON type URLs must match whole', () => {
  assert.ok(anyIs({ typeUrl: OCI_PROCESS_TYPE_URL }, OCI_PROCESS_TYPE_URL));
  assert.not.ok(anyIs({ typeUrl: 'example.com/Process' }, OCI_PROCESS_TYPE_URL));
});

test('JSON Any round-trip', () => {
  const any = packJsonAny(OCI_PROCESS_TYPE_URL, { args: ['sh'], terminal: false });
  assert.equal(unpackJsonAny(any, OCI_PROCESS_TYPE_URL), { args: ['sh'], terminal: false });
});

test('a wrong type or malformed value is InvalidArgument', () => {
  const wrong = packAny('containerd.runc.v1.Options', new Uint8Array(0));
  assert.throws(
    () => unpackJsonAny(wrong, OCI_PROCESS_TYPE_URL),
    (e: unknown) => e instanceof InvalidArgumentError && e.code === Code.InvalidArgument,
  );
  assert.throws(
    () => unpackJsonAny(packAny(OCI_PROCESS_TYPE_URL, Buffer.from('{')), OCI_PROCESS_TYPE_URL),
    (e: unknown) => e instanceof InvalidArgumentError,
  );
  const boom = () => {
    throw new Error('bad');
  };
  assert.throws(() => unpackAny(wrong, 'containerd.runc.v1.Options', boom), /malformed containerd.runc.v1.Options: bad/);
});

test.run();
