import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AlreadyExistsError,
  CanceledError,
  Code,
  DeadlineExceededError,
  FailedPreconditionError,
  fromStatus,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  ShimError,
  toStatus,
  UnavailableError,
  UnimplementedError,
  UnknownError,
} from '../../../src/errors';

// Each class, the gRPC code containerd's errdefs map back to the same class, and the
// errdefs text a Go shim's message ends with (containerd 2.x shows it as sent).
const table: Array<[ShimError, Code, string]> = [
  [new NotFoundError('process does not exist e1'), Code.NotFound, 'process does not exist e1: not found'],
  [new AlreadyExistsError('id e1'), Code.AlreadyExists, 'id e1: already exists'],
  [new FailedPreconditionError('container c init process is not running'), Code.FailedPrecondition, 'container c init process is not running: failed precondition'],
  [new InvalidArgumentError('bad'), Code.InvalidArgument, 'bad: invalid argument'],
  [new UnimplementedError('checkpoint'), Code.Unimplemented, 'checkpoint: not implemented'],
  [new UnavailableError('ttrpc: closed'), Code.Unavailable, 'ttrpc: closed: unavailable'],
  [new DeadlineExceededError('late'), Code.DeadlineExceeded, 'late: context deadline exceeded'],
  [new CanceledError('gone'), Code.Canceled, 'gone: context canceled'],
  [new ResourceExhaustedError('too big'), Code.ResourceExhausted, 'too big: resource exhausted'],
  [new UnknownError('runc create failed: boom'), Code.Unknown, 'runc create failed: boom'],
  [new InternalError('oops'), Code.Internal, 'oops'],
];

for (const [err, code, message] of table) {
  test(`${err.name} -> code ${code} "${message}" and back`, () => {
    assert.equal(toStatus(err), { code, message });
    const back = fromStatus({ code, message });
    assert.is(back.code, code);
    assert.is(back.constructor, err.constructor);
    assert.is(back.message, err.message);
  });
}

test('a message that already ends with the class text is not doubled', () => {
  assert.is(toStatus(new NotFoundError('container x: not found')).message, 'container x: not found');
});

test('plain errors and thrown values are Unknown with their text', () => {
  assert.equal(toStatus(new Error('cannot delete a running process')), { code: Code.Unknown, message: 'cannot delete a running process' });
  assert.equal(toStatus('boom'), { code: Code.Unknown, message: 'boom' });
});

test.run();
