import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Code, ShimError } from '../../../src/errors';
import { assertSignalable, transition, type ProcessAction, type ProcessState } from '../../../src/process/state';

const legal: Array<[ProcessState, ProcessAction, ProcessState]> = [
  ['created', 'start', 'running'],
  ['created', 'exit', 'stopped'],
  ['created', 'delete', 'deleted'],
  ['running', 'pause', 'paused'],
  ['running', 'exit', 'stopped'],
  ['paused', 'resume', 'running'],
  ['paused', 'exit', 'stopped'],
  ['stopped', 'delete', 'deleted'],
];

for (const [from, action, to] of legal) {
  test(`${from} --${action}--> ${to}`, () => {
    assert.is(transition('p', from, action), to);
  });
}

const states: ProcessState[] = ['created', 'running', 'paused', 'stopped', 'deleted'];
const actions: ProcessAction[] = ['start', 'pause', 'resume', 'exit', 'delete'];

test('every other move is refused: FailedPrecondition, or NotFound once deleted', () => {
  for (const from of states) {
    for (const action of actions) {
      if (legal.some(([f, a]) => f === from && a === action)) continue;
      try {
        transition('p1', from, action);
        assert.unreachable(`${from} ${action} was allowed`);
      } catch (err) {
        assert.instance(err, ShimError);
        const expected = from === 'deleted' ? Code.NotFound : Code.FailedPrecondition;
        assert.is((err as ShimError).code, expected, `${from} ${action}`);
        assert.match((err as Error).message, 'p1');
      }
    }
  }
});

test('deleting a running process says so', () => {
  assert.throws(() => transition('c1', 'running', 'delete'), /cannot delete a running process c1/);
});

test('signals: finished is NotFound, unstarted exec is FailedPrecondition, init may be signalled before start', () => {
  const code = (fn: () => void): Code | undefined => {
    try {
      fn();
      return undefined;
    } catch (err) {
      return (err as ShimError).code;
    }
  };
  assert.is(code(() => assertSignalable('c', 'stopped', false)), Code.NotFound);
  assert.is(code(() => assertSignalable('c', 'deleted', false)), Code.NotFound);
  assert.is(code(() => assertSignalable('e', 'created', true)), Code.FailedPrecondition);
  assert.is(code(() => assertSignalable('c', 'created', false)), undefined);
  assert.is(code(() => assertSignalable('c', 'paused', false)), undefined);
  assert.throws(() => assertSignalable('c', 'stopped', false), /process already finished/);
});

test.run();
