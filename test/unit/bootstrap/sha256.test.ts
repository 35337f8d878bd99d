import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sha256Hex } from '../../../src/bootstrap/sha256';

const reference = (text: string): string => createHash('sha256').update(text).digest('hex');

test('sha256: the FIPS 180-4 examples', () => {
  assert.is(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(
    sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
});

test('sha256: equals node:crypto at every length around the block and padding edges, and for non-ASCII', () => {
  for (let n = 0; n <= 200; n++) {
    const text = Array.from({ length: n }, (_, i) => String.fromCharCode(32 + ((i * 7 + n) % 95))).join('');
    assert.is(sha256Hex(text), reference(text), `length ${n}`);
  }
  for (const text of ['é', 'groupe/été/☃', '𝄞'.repeat(40), 'metassembly//run/containerd/containerd.sock/k8s.io/pod1']) {
    assert.is(sha256Hex(text), reference(text), text);
  }
});

test.run();
