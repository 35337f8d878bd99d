import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RuntimeInfo } from '../../../src/wire/introspection';
import { packJsonAny, unpackJsonAny } from '../../../src/wire/any';
import { OCI_FEATURES_TYPE_URL } from '../../../src/wire/type-urls';
import { bytes, hexOf, text } from './golden';

test('RuntimeInfo: name 1, version 2 {version 1, revision 2}, features 4, annotations 5', () => {
  const features = packJsonAny(OCI_FEATURES_TYPE_URL, { ociVersionMin: '1.0.0' });
  const out = RuntimeInfo.encode({
    name: 'm',
    version: { version: '1', revision: 'r' },
    features,
    annotations: { a: 'b' },
  }).finish();
  const json = text('{"ociVersionMin":"1.0.0"}');
  // the features URL is 67 = 0x43 bytes long
  const any = bytes('0a 43', text(OCI_FEATURES_TYPE_URL), '12', json.length.toString(16).padStart(2, '0'), json);
  const expected = bytes('0a 01', text('m'), '12 06 0a 01', text('1'), '12 01', text('r'), '22', any.length.toString(16), any, '2a 06 0a 01', text('a'), '12 01', text('b'));
  assert.is(hexOf(out), hexOf(expected));

  const back = RuntimeInfo.decode(out);
  assert.is(back.version!.revision, 'r');
  assert.equal(unpackJsonAny(back.features!, OCI_FEATURES_TYPE_URL), { ociVersionMin: '1.0.0' });
  assert.equal({ ...back.annotations }, { a: 'b' });
});

test.run();
