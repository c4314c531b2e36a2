import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SnapshotRecord } from '../src/catalog/catalog-types.js';
import { startApp, waitFor, type Harness } from './support/app-harness.js';
import {
  CallbackReceiver,
  startReceiver,
  type ReceivedCallback,
} from './support/callback-receiver.js';
import { generateClip } from './support/media.js';
import { pushWithNodeAv } from './support/push.js';

const DOMAIN = 'cb.example.com';
const KEY = 'Key0123456789abcdef';
const FAST_RETRY = {
  'notify.backoffBaseMs': 300,
  'notify.backoffCapMs': 2000,
  'notify.maxAttempts': 100,
};

/** The DESIGN.md §3 body, in order. */
const SNAPSHOT_FIELDS = [
  'Event',
  'DomainName',
  'AppName',
  'StreamName',
  'OssEndpoint',
  'OssBucket',
  'OssObject',
  'IsOverlay',
  'CreateTime',
  'CreateTimestamp',
  'Width',
  'Height',
  'Size',
  'Url',
];

/** Adds a rule (overwrite + sequence objects); an `extra` value of undefined removes a field. */
async function addRule(h: Harness, app: string, extra: Record<string, string | undefined> = {}) {
  const params: Record<string, string | number | undefined> = {
    DomainName: DOMAIN,
    AppName: app,
    TimeInterval: 5,
    OssEndpoint: 'local',
    OssBucket: 'snaps',
    OverwriteOssObject: '{AppName}/{StreamName}.jpg',
    SequenceOssObject: 'seq/{AppName}/{StreamName}/{Sequence}.jpg',
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) if (v === undefined) delete params[k];
  await h.live.request('AddLiveAppSnapshotConfig', params, { method: 'POST' });
}

/** Pushes `frames` frames (25 fps, a keyframe a second) and waits until capture settled. */
async function push(h: Harness, app: string, stream: string, frames: number): Promise<void> {
  const clip = await generateClip({
    codec: 'h264',
    width: 640,
    height: 360,
    fps: 25,
    frames,
    gop: 25,
  });
  await pushWithNodeAv(clip, h.rtmpUrl(app, stream, DOMAIN), { realtime: false }).done;
  const key = { domain: DOMAIN, app, stream };
  await waitFor('the stream to end', () => (h.app.hub.get(key) ? undefined : true));
  await waitFor('captures to settle', () =>
    h.app.engine.status().some((s) => s.stream === stream && s.app === app) ? undefined : true,
  );
}

async function records(h: Harness, app: string, stream: string): Promise<SnapshotRecord[]> {
  const page = await h.app.catalog.listSnapshotRecords({
    domainName: DOMAIN,
    appName: app,
    streamName: stream,
    startMs: 0,
    endMs: Date.now() + 60_000,
    order: 'asc',
    limit: 100,
  });
  return page.items;
}

function forStream(list: ReceivedCallback[], app: string, stream: string, event?: string) {
  return list.filter(
    (r) =>
      r.body.AppName === app && r.body.StreamName === stream && (!event || r.body.Event === event),
  );
}

describe('snapshot callbacks end to end', () => {
  let h: Harness;
  let ruleReceiver: CallbackReceiver;
  let notifyReceiver: CallbackReceiver;

  before(async () => {
    ruleReceiver = await startReceiver();
    notifyReceiver = await startReceiver();
    h = await startApp(FAST_RETRY);
    await h.live.request(
      'AddLiveSnapshotNotifyConfig',
      { DomainName: DOMAIN, NotifyUrl: notifyReceiver.url('/notify') },
      { method: 'POST' },
    );
    await h.live.request(
      'SetSnapshotCallbackAuth',
      { DomainName: DOMAIN, CallbackReqAuth: 'yes', CallbackAuthKey: KEY },
      { method: 'POST' },
    );
  });
  after(async () => {
    await h?.close();
    await ruleReceiver?.stop();
    await notifyReceiver?.stop();
  });

  test('every stored object is announced to the rule Callback and the NotifyUrl, signed', async () => {
    await addRule(h, 'live', { Callback: ruleReceiver.url('/rule') });
    await push(h, 'live', 'cam1', 313); // keyframes 0..12 s → captures at 0, 5, 10 s
    const rows = await records(h, 'live', 'cam1');
    const seq = rows.filter((r) => !r.isOverlay);
    assert.equal(seq.length, 3);

    // 3 captures × (sequence + overwrite object) = 6 objects, to each receiver
    await ruleReceiver.until('6 rule callbacks', () => ruleReceiver.received.length >= 6);
    await notifyReceiver.until(
      '6 snapshot + 2 lifecycle callbacks',
      () => forStream(notifyReceiver.received, 'live', 'cam1').length >= 8,
    );
    await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
    assert.equal(ruleReceiver.received.length, 6);
    const notified = forStream(notifyReceiver.received, 'live', 'cam1');
    assert.equal(notified.length, 8);

    for (const [receiver, path] of [
      [ruleReceiver, '/rule'],
      [notifyReceiver, '/notify'],
    ] as const) {
      const snaps = forStream(receiver.received, 'live', 'cam1', 'LiveSnapshot');
      assert.equal(snaps.length, 6);
      for (const r of snaps) {
        assert.equal(r.path, path);
        assert.deepEqual(Object.keys(r.body), SNAPSHOT_FIELDS);
        assert.equal(CallbackReceiver.signatureValid(r, KEY), true, 'signature verifies');
        assert.equal(r.headers['content-type'], 'application/json');
        assert.equal(r.headers['x-livesnap-event'], 'LiveSnapshot');
        assert.match(r.eventId, /^[0-9a-f-]{36}$/);
      }
      const bySeq = snaps.filter((r) => !r.body.IsOverlay);
      assert.deepEqual(
        bySeq.map((r) => r.body.OssObject).sort(),
        seq.map((r) => r.ossObject).sort(),
      );
      for (const r of bySeq) {
        const row = seq.find((x) => x.ossObject === r.body.OssObject)!;
        // Url is the object's public URL, signed for a limited time, and it serves the JPEG
        const url = String(r.body.Url);
        assert.ok(
          url.startsWith(`${h.httpUrl}/storage/snaps/${row.ossObject}?AccessKeyId=`),
          `signed object URL expected, got ${url}`,
        );
        assert.match(url, /[?&]Expires=\d+&Signature=[^&]+$/);
        const got = await fetch(url);
        assert.equal(got.status, 200);
        assert.equal(Number(got.headers.get('content-length')), row.size);
        assert.deepEqual(r.body, {
          Event: 'LiveSnapshot',
          DomainName: DOMAIN,
          AppName: 'live',
          StreamName: 'cam1',
          OssEndpoint: 'local',
          OssBucket: 'snaps',
          OssObject: row.ossObject,
          IsOverlay: false,
          CreateTime: new Date(row.createTimestamp).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          CreateTimestamp: row.createTimestamp,
          Width: 640,
          Height: 360,
          Size: row.size,
          Url: url,
        });
      }
      const overlays = snaps.filter((r) => r.body.IsOverlay);
      assert.equal(overlays.length, 3);
      assert.deepEqual(
        overlays.map((r) => r.body.CreateTimestamp).sort(),
        seq.map((r) => r.createTimestamp).sort(),
      );
      for (const r of overlays) assert.equal(r.body.OssObject, 'live/cam1.jpg');
    }
    // one event id per (object, receiver), never shared
    const ids = [...ruleReceiver.received, ...notified].map((r) => r.eventId);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('lifecycle events go to the NotifyUrl', async () => {
    const [publish] = forStream(notifyReceiver.received, 'live', 'cam1', 'LiveStreamPublish');
    const [unpublish] = forStream(notifyReceiver.received, 'live', 'cam1', 'LiveStreamUnpublish');
    assert.ok(publish && unpublish);
    assert.deepEqual(Object.keys(publish.body), [
      'Event',
      'DomainName',
      'AppName',
      'StreamName',
      'PublishTime',
      'PublishTimestamp',
      'Protocol',
      'RemoteAddress',
    ]);
    assert.equal(publish.body.DomainName, DOMAIN);
    assert.equal(publish.body.Protocol, 'rtmp');
    assert.match(publish.body.RemoteAddress, /127\.0\.0\.1/);
    assert.equal(CallbackReceiver.signatureValid(publish, KEY), true);
    const snaps = forStream(notifyReceiver.received, 'live', 'cam1', 'LiveSnapshot');
    const first = Math.min(...snaps.map((r) => r.body.CreateTimestamp as number));
    assert.ok(publish.body.PublishTimestamp <= first);
    assert.equal(unpublish.body.PublishTimestamp, publish.body.PublishTimestamp);
    assert.ok(unpublish.body.UnpublishTimestamp >= publish.body.PublishTimestamp);
    assert.equal(typeof unpublish.body.Reason, 'string');
    assert.match(unpublish.body.UnpublishTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(ruleReceiver.events('LiveStreamPublish').length, 0, 'only to the NotifyUrl');

    // a snapshot whose object cannot be stored: LiveSnapshotFailed
    await mkdir(join(h.dataDir, 'storage'), { recursive: true });
    await writeFile(join(h.dataDir, 'storage', 'brokenbucket'), 'not a directory');
    await addRule(h, 'broken', { OssBucket: 'brokenbucket', SequenceOssObject: undefined });
    await push(h, 'broken', 'cam9', 50);
    await notifyReceiver.until(
      'failure callback',
      () => forStream(notifyReceiver.received, 'broken', 'cam9', 'LiveSnapshotFailed').length >= 1,
    );
    const [failed] = forStream(notifyReceiver.received, 'broken', 'cam9', 'LiveSnapshotFailed');
    assert.equal(failed!.body.Stage, 'storage');
    assert.equal(failed!.body.OssBucket, 'brokenbucket');
    assert.equal(failed!.body.OssObject, 'broken/cam9.jpg');
    assert.ok(failed!.body.Error.length > 0 && failed!.body.Error.length <= 300);
    assert.match(failed!.body.FailTime, /Z$/);
    assert.equal(CallbackReceiver.signatureValid(failed!, KEY), true);
  });

  test('a rule Callback equal to the NotifyUrl is called once per object', async () => {
    await addRule(h, 'same', {
      Callback: notifyReceiver.url('/notify'),
      SequenceOssObject: undefined,
    });
    await push(h, 'same', 'cam2', 150); // captures at 0 and 5 s, overwrite object only
    await notifyReceiver.until(
      'unpublish',
      () => forStream(notifyReceiver.received, 'same', 'cam2', 'LiveStreamUnpublish').length === 1,
    );
    await waitFor('outbox drained', async () =>
      (await h.app.catalog.countCallbacks()).pending === 0 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(forStream(notifyReceiver.received, 'same', 'cam2', 'LiveSnapshot').length, 2);
  });
});

describe('a receiver down for 30 s', () => {
  test('gets every callback once it is back (duplicates only with the same event id)', async () => {
    const receiver = await startReceiver();
    const h = await startApp(FAST_RETRY);
    try {
      await h.live.request(
        'AddLiveSnapshotNotifyConfig',
        { DomainName: DOMAIN, NotifyUrl: receiver.url('/down') },
        { method: 'POST' },
      );
      await addRule(h, 'live');
      await receiver.stop();
      const downAt = Date.now();
      await push(h, 'live', 'cam3', 313); // 6 objects + publish + unpublish
      await waitFor('8 callbacks recorded', async () => {
        const n = await h.app.catalog.countCallbacks();
        return n.pending + n.delivering === 8 ? true : undefined;
      });
      // while the receiver is down every attempt fails and is retried, nothing is given up
      await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - downAt))));
      const waiting = await h.app.catalog.listCallbacks({ state: 'pending', offset: 0, limit: 10 });
      assert.equal(waiting.total, 8);
      for (const e of waiting.items) {
        assert.ok(e.attempts > 3, `retried while down (${e.attempts} attempts)`);
        assert.match(e.lastError ?? '', /network: ECONNREFUSED/);
      }
      assert.equal((await h.app.catalog.countCallbacks()).dead, 0);

      await receiver.start();
      const upAt = Date.now();
      await receiver.until('all 8 event ids', () => receiver.eventIds().size === 8, 10_000);
      const tookMs = Date.now() - upAt;
      assert.ok(tookMs <= 3000, `delivered within the backoff cap after recovery (${tookMs} ms)`);
      const snaps = receiver.events('LiveSnapshot');
      assert.equal(new Set(snaps.map((r) => r.eventId)).size, 6);
      assert.equal(receiver.events('LiveStreamPublish').length >= 1, true);
      assert.equal(receiver.events('LiveStreamUnpublish').length >= 1, true);
      // any duplicate carries the same event id and the same body
      const byId = new Map<string, string>();
      for (const r of receiver.received) {
        const seen = byId.get(r.eventId);
        if (seen !== undefined) assert.equal(r.text, seen);
        byId.set(r.eventId, r.text);
      }
      await waitFor('all delivered', async () =>
        (await h.app.catalog.countCallbacks()).delivered === 8 ? true : undefined,
      );
    } finally {
      await h.close();
      await receiver.stop();
    }
  });
});
