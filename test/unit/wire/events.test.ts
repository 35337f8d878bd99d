import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  EVENTS_SERVICE,
  FORWARD_METHOD,
  ForwardRequest,
  TaskCreate,
  TaskExit,
  TaskOOM,
  encodeForwardRequest,
  packTaskEvent,
} from '../../../src/wire/events';
import { TASK_EVENT_TYPE_URLS } from '../../../src/wire/type-urls';
import { dateFromTimestamp, timestampFromDate } from '../../../src/wire/timestamp';
import { bytes, hexOf, text } from './golden';

test('TaskExit: container_id:1, id:2, pid:3, exit_status:4, exited_at:5', () => {
  const out = TaskExit.encode({
    containerId: 'c1',
    id: 'c1',
    pid: 42,
    exitStatus: 1,
    exitedAt: timestampFromDate(new Date(1000)),
  }).finish();
  assert.is(hexOf(out), hexOf(bytes('0a 02', text('c1'), '12 02', text('c1'), '18 2a', '20 01', '2a 02 08 01')));
});

test('TaskCreate: rootfs mounts (3) and io (4)', () => {
  const out = TaskCreate.encode({
    containerId: 'c',
    rootfs: [{ type: 't', source: 's', target: 'x' }],
    io: { stdout: '/o', terminal: true },
    pid: 9,
  }).finish();
  const mount = bytes('0a 01', text('t'), '12 01', text('s'), '1a 01', text('x'));
  const io = bytes('12 02', text('/o'), '20 01');
  assert.is(hexOf(out), hexOf(bytes('0a 01', text('c'), '1a 09', mount, '22 06', io, '30 09')));
});

test('Envelope inside ForwardRequest: timestamp:1, namespace:2, topic:3, event:4 with a bare type_url', () => {
  const event = packTaskEvent('TaskOOM', { containerId: 'c' });
  assert.is(event.typeUrl, 'containerd.events.TaskOOM');
  const out = encodeForwardRequest({ timestamp: new Date(2000), namespace: 'default', topic: '/tasks/oom', event });

  const any = bytes('0a 19', text('containerd.events.TaskOOM'), '12 03', '0a 01', text('c'));
  const envelope = bytes('0a 02 08 02', '12 07', text('default'), '1a 0a', text('/tasks/oom'), '22 20', any);
  assert.is(hexOf(out), hexOf(bytes('0a 3b', envelope)));

  const back = ForwardRequest.decode(out).envelope!;
  assert.is(dateFromTimestamp(back.timestamp!).getTime(), 2000);
  assert.is(back.namespace, 'default');
  assert.is(back.topic, '/tasks/oom');
  assert.is(TaskOOM.decode(back.event!.value!).containerId, 'c');
});

test('every task event packs under containerd.events.<Name>', () => {
  for (const [name, url] of Object.entries(TASK_EVENT_TYPE_URLS)) {
    assert.is(url, `containerd.events.${name}`);
    const any = packTaskEvent(name as keyof typeof TASK_EVENT_TYPE_URLS, { containerId: 'x' });
    assert.is(any.typeUrl, url);
    assert.is(hexOf(any.value), hexOf(bytes('0a 01', text('x'))), `${name}.container_id is field 1`);
  }
});

test('service and method names of Forward', () => {
  assert.is(EVENTS_SERVICE, 'containerd.services.events.ttrpc.v1.Events');
  assert.is(FORWARD_METHOD, 'Forward');
});

test.run();
