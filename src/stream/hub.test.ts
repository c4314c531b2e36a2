import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamBusyError } from '../errors.js';
import { silentLogger } from '../log.js';
import { StreamHub, type LiveStream, type StreamItem } from './hub.js';
import type { AccessUnit, CodecConfig, PublishInfo } from './stream-types.js';

const info: PublishInfo = {
  remote: '127.0.0.1:5000',
  tcUrl: 'rtmp://h/live',
  query: {},
  protocol: 'rtmp',
};
const key = { domain: 'h', app: 'live', stream: 'cam1' };
const config: CodecConfig = {
  codec: 'h264',
  record: Buffer.from([1, 2, 3]),
  width: 320,
  height: 240,
  profile: 'High',
};
const unit = (dts: number, keyframe = false): AccessUnit => ({
  dts,
  pts: dts,
  keyframe,
  data: Buffer.alloc(10),
});

test('one publisher per stream: a second publish is refused and the first continues', () => {
  const hub = new StreamHub({ logger: silentLogger(), subscriberQueue: 8 });
  const first = hub.publish(key, info);
  assert.throws(() => hub.publish(key, info), StreamBusyError);
  first.accessUnit(unit(0, true));
  assert.equal(hub.get(key)?.counters.frames, 1);
  first.close('done');
  assert.equal(hub.get(key), undefined);
  const again = hub.publish(key, info);
  again.close('done');
});

test('subscribers get the config first, then units in order; events announce start and stop', async () => {
  const hub = new StreamHub({ logger: silentLogger(), subscriberQueue: 8 });
  const events: string[] = [];
  let live: LiveStream | undefined;
  hub.on('stream.published', (s) => {
    events.push(`published ${s.id}`);
    live = s;
  });
  hub.on('stream.unpublished', (s, reason) => events.push(`unpublished ${s.id} ${reason}`));
  const pub = hub.publish(key, info);
  pub.videoConfig(config);
  const late = live!.subscribe('late');
  pub.accessUnit(unit(0, true));
  pub.accessUnit(unit(40));
  pub.close('client left');
  const items: StreamItem[] = [];
  for await (const item of late) items.push(item);
  assert.deepEqual(
    items.map((i) => i.type),
    ['config', 'unit', 'unit'],
  );
  assert.deepEqual(events, ['published h/live/cam1', 'unpublished h/live/cam1 client left']);
});

test('a slow subscriber drops and counts instead of stalling the publisher', () => {
  const hub = new StreamHub({ logger: silentLogger(), subscriberQueue: 4 });
  const pub = hub.publish(key, info);
  const stream = hub.get(key)!;
  const slow = stream.subscribe('slow');
  pub.videoConfig(config);
  for (let i = 0; i < 10; i++) pub.accessUnit(unit(i * 40, i % 5 === 0));
  assert.equal(slow.pending, 4);
  assert.equal(slow.dropped, 7);
  assert.equal(stream.counters.dropped, 7);
  assert.equal(stream.counters.frames, 10);
  // a new config is never dropped: it evicts the oldest unit
  pub.videoConfig({ ...config, width: 640 });
  assert.equal(slow.pending, 4);
  assert.equal(slow.dropped, 8);
  pub.close('done');
});

test('keyframe interval is measured from successive keyframes', () => {
  const hub = new StreamHub({ logger: silentLogger(), subscriberQueue: 4 });
  const pub = hub.publish(key, info);
  for (let i = 0; i < 100; i++) pub.accessUnit(unit(i * 40, i % 50 === 0));
  const c = hub.get(key)!.counters;
  assert.equal(c.keyframes, 2);
  assert.equal(c.keyframeIntervalMs, 2000);
  assert.equal(c.lastDts, 99 * 40);
  pub.close('done');
});

test('calls after close are ignored and close is idempotent', () => {
  const hub = new StreamHub({ logger: silentLogger(), subscriberQueue: 4 });
  let stops = 0;
  hub.on('stream.unpublished', () => stops++);
  const pub = hub.publish(key, info);
  pub.close('a');
  pub.close('b');
  pub.accessUnit(unit(0, true));
  assert.equal(stops, 1);
});
