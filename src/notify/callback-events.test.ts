import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callbackOrigin, newCallbackEntry, uniqueReceivers } from './callback-entries.js';
import { CallbackEvent, snapshotBody, snapshotFailedBody, utcSeconds } from './callback-events.js';
import { plainObjectUrl } from './object-url.js';

test('the snapshot body is DESIGN.md §3, in order', () => {
  const body = snapshotBody(
    {
      domainName: 'Localhost',
      appName: 'live',
      streamName: 'cam1',
      ossEndpoint: 'local',
      ossBucket: 'snaps',
      ossObject: 'live/cam1/1763712000.jpg',
      createTimestamp: 1763712000123,
      isOverlay: false,
      width: 1920,
      height: 1080,
      size: 104857,
    },
    'http://x/storage/snaps/live/cam1/1763712000.jpg',
  );
  assert.equal(
    JSON.stringify(body),
    '{"Event":"LiveSnapshot","DomainName":"localhost","AppName":"live","StreamName":"cam1",' +
      '"OssEndpoint":"local","OssBucket":"snaps","OssObject":"live/cam1/1763712000.jpg",' +
      '"IsOverlay":false,"CreateTime":"2025-11-21T08:00:00Z","CreateTimestamp":1763712000123,' +
      '"Width":1920,"Height":1080,"Size":104857,"Url":"http://x/storage/snaps/live/cam1/1763712000.jpg"}',
  );
  assert.equal(utcSeconds(Date.UTC(2026, 10, 21, 8, 0, 0, 999)), '2026-11-21T08:00:00Z');
});

test('failure bodies clip long errors and omit an unknown object', () => {
  const b = snapshotFailedBody({
    domain: 'a.com',
    app: 'live',
    stream: 's',
    failedAt: 0,
    stage: 'decode',
    error: 'e'.repeat(1000),
    endpoint: 'local',
    bucket: 'b',
  });
  assert.equal(b.Event, CallbackEvent.LiveSnapshotFailed);
  assert.equal(b.Error.length, 300);
  assert.equal('OssObject' in b, false);
});

test('receivers are deduplicated; origins are host:port', () => {
  assert.deepEqual(
    uniqueReceivers(['http://A.com/cb', undefined, 'http://a.com/cb', '', 'https://a.com/cb']),
    ['http://A.com/cb', 'https://a.com/cb'],
  );
  assert.equal(callbackOrigin('http://cb.example.com:8080/x?y'), 'cb.example.com:8080');
  assert.equal(callbackOrigin('https://cb.example.com/x'), 'cb.example.com');
  const e = newCallbackEntry({
    event: CallbackEvent.LiveStreamPublish,
    domainName: 'A.com',
    url: 'http://cb/',
    body: '{}',
    now: 5,
  });
  assert.match(e.eventId, /^[0-9a-f-]{36}$/);
  assert.equal(e.domainName, 'a.com');
});

test('the plain object URL encodes each segment', () => {
  const url = plainObjectUrl(() => 'http://snap.example.com:8080/');
  assert.equal(
    url('local', 'snaps', 'live/cam 1/a#b.jpg'),
    'http://snap.example.com:8080/storage/snaps/live/cam%201/a%23b.jpg',
  );
});
