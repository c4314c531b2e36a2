import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SnapshotRecord } from '../src/catalog/catalog-types.js';
import { startApp, waitFor, type Harness } from './support/app-harness.js';
import { decodeJpeg } from './support/jpeg.js';
import { centre, generateClip, patternRegions } from './support/media.js';
import {
  pushWithFfmpegCli,
  pushWithGstreamer,
  pushWithNodeAv,
  type PushHandle,
} from './support/push.js';

const DOMAIN = 'snap.example.com';
const hasFfmpeg = existsSync('/usr/bin/ffmpeg');
const hasGst = existsSync('/usr/bin/gst-launch-1.0');

async function addRule(
  h: Harness,
  app: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const params: Record<string, unknown> = {
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

async function records(h: Harness, app: string, stream: string): Promise<SnapshotRecord[]> {
  const page = await h.app.catalog.listSnapshotRecords({
    domainName: DOMAIN,
    appName: app,
    streamName: stream,
    startMs: 0,
    endMs: Date.now() + 60_000,
    order: 'asc',
    limit: 1000,
  });
  return page.items;
}

/** Waits until the push ended and the stream's capture has settled. */
async function pushAndSettle(
  h: Harness,
  push: PushHandle,
  app: string,
  stream: string,
): Promise<void> {
  await push.done;
  const key = { domain: DOMAIN, app, stream };
  await waitFor('the stream to end', () => (h.app.hub.get(key) ? undefined : true));
  // the capture task finishes its pending stores after the stream ends
  await waitFor('captures to settle', () =>
    h.app.engine.status().some((s) => s.stream === stream && s.app === app) ? undefined : true,
  );
}

describe('live snapshots end to end', () => {
  let h: Harness;
  before(async () => {
    h = await startApp();
  });
  after(async () => {
    await h?.close();
  });

  test(
    'ffmpeg push of H.264 with B-frames: snapshots every 5 s of stream time, stored and recorded',
    { skip: !hasFfmpeg && 'ffmpeg not installed' },
    async () => {
      await addRule(h, 'live');
      // 12.5 s at 25 fps, a keyframe every second: keyframes at 0..12 s → captures at 0, 5, 10 s
      const clip = await generateClip({
        codec: 'h264',
        width: 640,
        height: 360,
        fps: 25,
        frames: 313,
        gop: 25,
        bFrames: true,
      });
      await pushAndSettle(
        h,
        pushWithFfmpegCli(clip, h.rtmpUrl('live', 'cam1', DOMAIN), { realtime: false }),
        'live',
        'cam1',
      );

      const rows = await records(h, 'live', 'cam1');
      const seq = rows.filter((r) => !r.isOverlay);
      const overlay = rows.filter((r) => r.isOverlay);
      assert.deepEqual(
        seq.map((r) => r.ossObject),
        ['seq/live/cam1/1.jpg', 'seq/live/cam1/2.jpg', 'seq/live/cam1/3.jpg'],
      );
      assert.equal(overlay.length, 1);
      assert.equal(overlay[0]!.ossObject, 'live/cam1.jpg');
      assert.equal(overlay[0]!.createTimestamp, seq[2]!.createTimestamp);
      const regions = patternRegions(640, 360);
      for (const row of rows) {
        assert.equal(row.ossEndpoint, 'local');
        assert.equal(row.ossBucket, 'snaps');
        assert.deepEqual([row.width, row.height], [640, 360]);
        const file = await readFile(join(h.dataDir, 'storage', 'snaps', row.ossObject));
        assert.equal(file.length, row.size);
        const img = await decodeJpeg(file);
        assert.deepEqual([img.width, img.height], [640, 360]);
        const red = centre(regions.topLeft);
        const [r, g, b] = img.rgbAt(red.x, red.y);
        assert.ok(r > 200 && g < 60 && b < 60, `top-left box should be red, got ${[r, g, b]}`);
        const white = centre(regions.bottomRight);
        assert.ok(
          img.rgbAt(white.x, white.y).every((c) => c > 235),
          'bottom-right box should be white',
        );
      }
      const status = h.app.engine.status();
      assert.equal(status.length, 0, 'no live stream left');
    },
  );

  test(
    'a re-push continues {Sequence} and never overwrites an earlier object',
    { skip: !hasFfmpeg && 'ffmpeg not installed' },
    async () => {
      const before = new Map<string, Buffer>();
      for (const row of (await records(h, 'live', 'cam1')).filter((r) => !r.isOverlay)) {
        before.set(
          row.ossObject,
          await readFile(join(h.dataDir, 'storage', 'snaps', row.ossObject)),
        );
      }
      assert.equal(before.size, 3);
      const clip = await generateClip({
        codec: 'h264',
        width: 640,
        height: 360,
        fps: 25,
        frames: 150,
        gop: 25,
      });
      await pushAndSettle(
        h,
        pushWithFfmpegCli(clip, h.rtmpUrl('live', 'cam1', DOMAIN), { realtime: false }),
        'live',
        'cam1',
      );
      const seq = (await records(h, 'live', 'cam1')).filter((r) => !r.isOverlay);
      // 6 s clip: keyframes at 0..5 s → captures at 0 and 5 s → sequence numbers 4 and 5
      assert.deepEqual(seq.map((r) => r.ossObject).sort(), [
        'seq/live/cam1/1.jpg',
        'seq/live/cam1/2.jpg',
        'seq/live/cam1/3.jpg',
        'seq/live/cam1/4.jpg',
        'seq/live/cam1/5.jpg',
      ]);
      for (const [object, bytes] of before) {
        assert.deepEqual(
          await readFile(join(h.dataDir, 'storage', 'snaps', object)),
          bytes,
          `${object} unchanged`,
        );
      }
    },
  );

  test(
    'GStreamer rtmp2sink push with a GOP longer than the interval: one snapshot per keyframe',
    { skip: !hasGst && 'gst-launch-1.0 not installed' },
    async () => {
      await addRule(h, 'gst', {
        OverwriteOssObject: '-',
        SequenceOssObject: '{AppName}/{StreamName}/{UnixTimestamp}.jpg',
      }).catch(async () => {
        await addRule(h, 'gst', {
          OverwriteOssObject: undefined as unknown as string,
          SequenceOssObject: '{AppName}/{StreamName}/{UnixTimestamp}.jpg',
        });
      });
      // 8 s keyframe interval, 20 s: keyframes at 0, 8, 16 s → every keyframe is captured
      await pushAndSettle(
        h,
        pushWithGstreamer(h.rtmpUrl('gst', 'cam2', DOMAIN), {
          frames: 500,
          fps: 25,
          gop: 200,
          width: 320,
          height: 240,
          realtime: false,
          pattern: 'red',
        }),
        'gst',
        'cam2',
      );
      const rows = await records(h, 'gst', 'cam2');
      assert.equal(rows.length, 3);
      for (const row of rows) {
        const img = await decodeJpeg(
          await readFile(join(h.dataDir, 'storage', 'snaps', row.ossObject)),
        );
        assert.deepEqual([img.width, img.height], [320, 240]);
        const [r, g, b] = img.rgbAt(160, 120);
        assert.ok(r > 200 && g < 60 && b < 60, `solid red expected, got ${[r, g, b]}`);
      }
    },
  );

  test('HEVC over Enhanced RTMP (FFmpeg 8 through node-av) at an odd size', async () => {
    await addRule(h, 'hevc', { OverwriteOssObject: '{AppName}/{StreamName}.jpg' });
    const clip = await generateClip({
      codec: 'hevc',
      width: 642,
      height: 362,
      fps: 25,
      frames: 150,
      gop: 25,
      bFrames: true,
    });
    await pushAndSettle(
      h,
      pushWithNodeAv(clip, h.rtmpUrl('hevc', 'cam3', DOMAIN), { realtime: false }),
      'hevc',
      'cam3',
    );
    const rows = await records(h, 'hevc', 'cam3');
    assert.equal(rows.filter((r) => !r.isOverlay).length, 2);
    const img = await decodeJpeg(
      await readFile(join(h.dataDir, 'storage', 'snaps', rows[0]!.ossObject)),
    );
    assert.deepEqual([img.width, img.height], [642, 362]);
    const red = centre(patternRegions(642, 362).topLeft);
    const [r, g, b] = img.rgbAt(red.x, red.y);
    assert.ok(r > 200 && g < 60 && b < 60, `top-left box should be red, got ${[r, g, b]}`);
  });
});
