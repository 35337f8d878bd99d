import * as protobuf from 'protobufjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_UINT64, parseUint, toUint64 } from '../../../src/cgroups/uint64';

test('safe integers stay numbers; larger values become exact decimal strings', () => {
  assert.is(toUint64(0n), 0);
  assert.is(toUint64(BigInt(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  assert.is(toUint64(BigInt(Number.MAX_SAFE_INTEGER) + 1n), '9007199254740992');
  assert.is(toUint64(9223372036854771712n), '9223372036854771712');
  assert.is(toUint64(MAX_UINT64), '18446744073709551615');
});

test("parseUint follows containerd's: negatives read 0, overflow and junk are no number", () => {
  assert.is(parseUint('68538735695'), 68538735695n);
  assert.is(parseUint('-1'), 0n);
  assert.is(parseUint('18446744073709551615'), MAX_UINT64);
  assert.is(parseUint('18446744073709551616'), undefined);
  assert.is(parseUint('max'), undefined);
  assert.is(parseUint(''), undefined);
});

test('protobufjs encodes the chosen representation exactly (encode and fromObject)', () => {
  const root = protobuf.parse('syntax = "proto3"; message PidsStat { uint64 current = 1; uint64 limit = 2; repeated uint64 per_cpu = 3; }').root;
  const PidsStat = root.lookupType('PidsStat');
  const message = { current: toUint64(3n), limit: toUint64(MAX_UINT64), perCpu: [toUint64(9223372036854771712n), toUint64(7n)] };
  const wanted = { current: '3', limit: '18446744073709551615', perCpu: ['9223372036854771712', '7'] };
  for (const bytes of [PidsStat.encode(message).finish(), PidsStat.encode(PidsStat.fromObject(message)).finish()]) {
    assert.equal(PidsStat.toObject(PidsStat.decode(bytes), { longs: String }), wanted);
  }
});

test.run();
