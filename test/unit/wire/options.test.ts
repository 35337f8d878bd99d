import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Any,
  CheckpointOptions,
  RuncOptions,
  RuntimeOptions,
  decodeOptions,
  decodeOptionsStdin,
} from '../../../src/wire/options';
import { InvalidArgumentError } from '../../../src/errors';
import { bytes, hexOf, text } from './golden';

const runcOptions = bytes('32 04', text('crun'), '3a 02', text('/r'), '48 01'); // binary_name:6, root:7, systemd_cgroup:9

test('runc Options: binary_name 6, root 7, systemd_cgroup 9', () => {
  const out = RuncOptions.encode({ binaryName: 'crun', root: '/r', systemdCgroup: true }).finish();
  assert.is(hexOf(out), hexOf(runcOptions));
});

test('start stdin: an Any of containerd.runc.v1.Options', () => {
  const stdin = bytes('0a 1a', text('containerd.runc.v1.Options'), '12 0c', runcOptions);
  const decoded = decodeOptionsStdin(stdin);
  assert.is(decoded.kind, 'runc');
  if (decoded.kind !== 'runc') return;
  assert.is(decoded.options.binaryName, 'crun');
  assert.is(decoded.options.root, '/r');
  assert.is(decoded.options.systemdCgroup, true);
  assert.is(decoded.options.shimCgroup, '');
});

test('start stdin: runtimeoptions.v1.Options with config_path (2) and config_body (3)', () => {
  const value = bytes('12 02', text('/c'), '1a 03', text('a=1'));
  const stdin = bytes('0a 19', text('runtimeoptions.v1.Options'), '12 09', value);
  const decoded = decodeOptionsStdin(stdin);
  assert.is(decoded.kind, 'runtimeoptions');
  if (decoded.kind !== 'runtimeoptions') return;
  assert.is(decoded.options.configPath, '/c');
  assert.is(Buffer.from(decoded.options.configBody).toString(), 'a=1');
  assert.is(hexOf(RuntimeOptions.encode({ configPath: '/c', configBody: text('a=1') }).finish()), hexOf(value));
});

test('empty stdin and an absent Any mean no options', () => {
  assert.equal(decodeOptionsStdin(new Uint8Array(0)), { kind: 'none' });
  assert.equal(decodeOptions(null), { kind: 'none' });
  assert.equal(decodeOptions(new Any()), { kind: 'none' });
});

test('a type.googleapis.com/ prefix is accepted', () => {
  const decoded = decodeOptions({ typeUrl: 'type.googleapis.com/containerd.runc.v1.Options', value: runcOptions });
  assert.is(decoded.kind, 'runc');
});

test('another type or garbage is InvalidArgument', () => {
  assert.throws(() => decodeOptions({ typeUrl: 'example.Other', value: new Uint8Array(0) }), (e: unknown) => e instanceof InvalidArgumentError);
  assert.throws(() => decodeOptionsStdin(bytes('0a ff')), (e: unknown) => e instanceof InvalidArgumentError);
});

test('CheckpointOptions: repeated empty_namespaces 6, image_path 8', () => {
  const out = CheckpointOptions.encode({ exit: true, emptyNamespaces: ['network'], imagePath: '/i' }).finish();
  assert.is(hexOf(out), hexOf(bytes('08 01', '32 07', text('network'), '42 02', text('/i'))));
});

test.run();
