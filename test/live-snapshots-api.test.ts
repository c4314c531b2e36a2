import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SnapshotFailure } from '../src/capture/engine.js';
import { RtmpPublishClient } from '../src/ingest/rtmp/publish-client.js';
import { startApp, waitFor, type Harness } from './support/app-harness.js';
import { readFlvVideoTags } from '../src/media/flv-file.js';
import { decodeJpeg } from './support/jpeg.js';
import { generateClip } from './support/media.js';
import { pushWithFfmpegCli, pushWithNodeAv, type PushHandle } from './support/push.js';

const DOMAIN = 'api.example.com';
const hasFfmpeg = existsSync('/usr/bin/ffmpeg');

interface SnapshotInfo {
  OssEndpoint: string;
  OssBucket: string;
  OssObject: string;
  CreateTime: string;
  CreateTimestamp: number;
  IsOverlay: boolean;
  Url?: string;
}

async function rule(h: Harness, app: string, fields: Record<string, unknown>): Promise<void> {
  await h.live.request(
    'AddLiveAppSnapshotConfig',
    { DomainName: DOMAIN, AppName: app, TimeInterval: 5, OssEndpoint: 'local', ...fields },
    { method: 'POST' },
  );
}

async function settle(h: Harness, push: PushHandle, app: string, stream: string): Promise<void> {
  await push.done;
  await waitFor('the stream to end', () =>
    h.app.hub.get({ domain: DOMAIN, app, stream }) ? undefined : true,
  );
  await waitFor('captures to settle', () =>
    h.app.engine.status().some((s) => s.app === app && s.stream === stream) ? undefined : true,
  );
}

function window(): { StartTime: string; EndTime: string } {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { StartTime: iso(Date.now() - 3600_000), EndTime: iso(Date.now() + 3600_000) };
}

describe('live snapshots through the API', () => {
  let h: Harness;
  const failures: SnapshotFailure[] = [];
  before(async () => {
    h = await startApp();
    h.app.engine.on('snapshot.failed', (f) => failures.push(f));
  });
  after(async () => {
    await h?.close();
  });

  test(
    'a live stream is listed with its status while pushed; its snapshots are queried, fetched and deleted',
    { skip: !hasFfmpeg && 'ffmpeg not installed' },
    async () => {
      await rule(h, 'live', {
        OssBucket: 'shots',
        OverwriteOssObject: '{AppName}/{StreamName}.jpg',
        SequenceOssObject: '{AppName}/{StreamName}/{UnixTimestamp}.jpg',
      });
      const clip = await generateClip({
        codec: 'h264',
        width: 480,
        height: 270,
        fps: 25,
        frames: 200,
        gop: 25,
      });
      const push = pushWithFfmpegCli(clip, h.rtmpUrl('live', 'cam9', DOMAIN), { realtime: true });

      // while live: DescribeLiveStreamsOnlineList shows codec, size, GOP and snapshot counters
      const online = await waitFor('the stream to be listed with a snapshot', async () => {
        const res = (await h.live.request('DescribeLiveStreamsOnlineList', {
          DomainName: DOMAIN,
        })) as {
          OnlineInfo: { LiveStreamOnlineInfo: Array<Record<string, unknown>> };
        };
        const item = res.OnlineInfo.LiveStreamOnlineInfo.find((i) => i.StreamName === 'cam9');
        return item && Number(item.SnapshotsTaken) >= 1 && Number(item.KeyframeInterval) > 0
          ? item
          : undefined;
      });
      assert.equal(online.AppName, 'live');
      assert.equal(online.DomainName, DOMAIN);
      assert.equal(online.Width, 480);
      assert.equal(online.Height, 270);
      assert.match(String(online.VideoCodecType), /h264/i);
      assert.equal(online.KeyframeInterval, 1);
      await settle(h, push, 'live', 'cam9');

      const res = (await h.live.request('DescribeLiveStreamSnapshotInfo', {
        DomainName: DOMAIN,
        AppName: 'live',
        StreamName: 'cam9',
        ...window(),
        Limit: 100,
      })) as {
        LiveStreamSnapshotInfoList: { LiveStreamSnapshotInfo: SnapshotInfo[] };
        NextStartTime?: string;
      };
      const items = res.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo;
      assert.equal(res.NextStartTime, undefined);
      const seq = items.filter((i) => !i.IsOverlay);
      const overlay = items.filter((i) => i.IsOverlay);
      // 8 s of stream: keyframes every second → captures at 0 and 5 s
      assert.equal(seq.length, 2);
      assert.equal(overlay.length, 1);
      for (const item of seq) {
        assert.equal(item.OssObject, `live/cam9/${Math.floor(item.CreateTimestamp / 1000)}.jpg`);
        assert.equal(
          item.CreateTime,
          new Date(item.CreateTimestamp).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        );
      }

      // the signed URL serves the JPEG; the same path without a signature is refused
      const signed = seq[0]!.Url;
      assert.ok(signed, 'items carry a signed Url');
      const got = await fetch(signed);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-type'), 'image/jpeg');
      const img = await decodeJpeg(Buffer.from(await got.arrayBuffer()));
      assert.deepEqual([img.width, img.height], [480, 270]);
      const unsigned = await fetch(signed.split('?')[0]!);
      assert.equal(unsigned.status, 403);

      // delete the first sequence snapshot with its file, and a timestamp that does not exist
      const first = seq[0]!;
      const file = join(h.dataDir, 'storage', 'shots', first.OssObject);
      assert.ok(existsSync(file));
      const del = (await h.live.request(
        'DeleteSnapshotFiles',
        {
          DomainName: DOMAIN,
          AppName: 'live',
          StreamName: 'cam9',
          CreateTimestampList: [first.CreateTimestamp, 1234],
          RemoveFile: true,
        },
        { method: 'POST' },
      )) as {
        SuccessCount: number;
        FailureCount: number;
        SnapshotDeleteInfoList: { SnapshotDeleteInfo: unknown[] };
      };
      assert.equal(del.SuccessCount, 1);
      assert.equal(del.FailureCount, 1);
      assert.deepEqual(JSON.parse(JSON.stringify(del.SnapshotDeleteInfoList.SnapshotDeleteInfo)), [
        { CreateTimestamp: first.CreateTimestamp, Message: 'OK' },
        { CreateTimestamp: 1234, Message: 'FileNotFound' },
      ]);
      assert.equal(existsSync(file), false, 'the object was removed');
      const again = (await h.live.request('DescribeLiveStreamSnapshotInfo', {
        DomainName: DOMAIN,
        AppName: 'live',
        StreamName: 'cam9',
        ...window(),
      })) as { LiveStreamSnapshotInfoList: { LiveStreamSnapshotInfo: SnapshotInfo[] } };
      assert.equal(again.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo.length, 2);

      const daily = (await h.live.request('DescribeLiveDomainSnapshotData', {
        DomainName: DOMAIN,
        ...window(),
      })) as { SnapshotDataInfos: { SnapshotDataInfo: Array<{ Date: string; Total: number }> } };
      const total = daily.SnapshotDataInfos.SnapshotDataInfo.reduce((n, d) => n + d.Total, 0);
      assert.equal(total, 2);
    },
  );

  test('a rule whose storage endpoint no longer exists: counted failures, no object, no row', async () => {
    // A rule can only be created for a configured endpoint; this one was configured once.
    await h.app.catalog.insertRule({
      domainName: DOMAIN,
      appName: 'gone',
      timeInterval: 5,
      ossEndpoint: 's3-removed',
      ossBucket: 'snaps',
      sequenceOssObject: '{AppName}/{StreamName}/{Sequence}.jpg',
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    const before = failures.length;
    const clip = await generateClip({
      codec: 'h264',
      width: 320,
      height: 240,
      fps: 25,
      frames: 150,
      gop: 25,
    });
    await settle(
      h,
      pushWithNodeAv(clip, h.rtmpUrl('gone', 'cam1', DOMAIN), { realtime: false }),
      'gone',
      'cam1',
    );
    const mine = failures.slice(before).filter((f) => f.stream.key.app === 'gone');
    assert.equal(mine.length, 2, 'both captures (0 s and 5 s) failed');
    assert.ok(mine.every((f) => f.stage === 'storage' && /s3-removed/.test(f.error)));
    const rows = await h.app.catalog.listSnapshotRecords({
      domainName: DOMAIN,
      appName: 'gone',
      streamName: 'cam1',
      startMs: 0,
      endMs: Date.now() + 60_000,
      order: 'asc',
      limit: 10,
    });
    assert.equal(rows.items.length, 0);
    const metrics = await (await fetch(`${h.httpUrl}/metrics`)).text();
    assert.match(metrics, /livesnap_snapshots_total\{outcome="failed"\} [2-9]/);
  });

  test('an unwritable storage directory: failures are counted, nothing partial is left, and it recovers', async () => {
    await rule(h, 'blocked', {
      OssBucket: 'blocked',
      SequenceOssObject: '{AppName}/{StreamName}/{Sequence}.jpg',
    });
    // the bucket path is a regular file, so nothing can be written below it (root ignores modes)
    await mkdir(join(h.dataDir, 'storage'), { recursive: true });
    await writeFile(join(h.dataDir, 'storage', 'blocked'), 'not a directory');
    const before = failures.length;
    const clip = await generateClip({
      codec: 'h264',
      width: 320,
      height: 240,
      fps: 25,
      frames: 150,
      gop: 25,
    });
    await settle(
      h,
      pushWithNodeAv(clip, h.rtmpUrl('blocked', 'cam1', DOMAIN), { realtime: false }),
      'blocked',
      'cam1',
    );
    assert.equal(failures.slice(before).filter((f) => f.stream.key.app === 'blocked').length, 2);
    const list = async () =>
      (
        await h.app.catalog.listSnapshotRecords({
          domainName: DOMAIN,
          appName: 'blocked',
          streamName: 'cam1',
          startMs: 0,
          endMs: Date.now() + 60_000,
          order: 'asc',
          limit: 10,
        })
      ).items;
    assert.equal((await list()).length, 0, 'no row without its object');

    await rm(join(h.dataDir, 'storage', 'blocked'));
    await settle(
      h,
      pushWithNodeAv(clip, h.rtmpUrl('blocked', 'cam1', DOMAIN), { realtime: false }),
      'blocked',
      'cam1',
    );
    const rows = await list();
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const bytes = await readFile(join(h.dataDir, 'storage', 'blocked', row.ossObject));
      assert.equal(bytes.length, row.size);
    }
  });

  test('a client that disconnects in the middle of a keyframe: no object, no row, stream ended', async () => {
    await rule(h, 'cut', {
      OssBucket: 'cut',
      SequenceOssObject: '{AppName}/{StreamName}/{Sequence}.jpg',
    });
    const clip = await generateClip({
      codec: 'h264',
      width: 320,
      height: 240,
      fps: 25,
      frames: 50,
      gop: 25,
      container: 'flv',
    });
    const tags = readFlvVideoTags(await readFile(clip));
    const config = tags[0]!;
    const keyframe = tags[1]!;
    assert.ok(keyframe.body.length > 2000, 'the keyframe spans several chunks');
    const client = await RtmpPublishClient.connect({
      host: '127.0.0.1',
      port: h.rtmpPort,
      app: 'cut',
      tcUrl: `rtmp://${DOMAIN}:${h.rtmpPort}/cut`,
      chunkSize: 1024,
    });
    const ended = new Promise<string>((resolve) =>
      h.app.hub.on('stream.unpublished', (s, reason) => {
        if (s.key.app === 'cut') resolve(reason);
      }),
    );
    const status = await client.publish('cam1');
    assert.equal(status.code, 'NetStream.Publish.Start');
    client.video(0, config.body);
    // first 1024-byte chunk of the keyframe message, then the connection drops
    const full = Buffer.from(
      (client as unknown as { writer: { write(m: object): Buffer } }).writer.write({
        csid: 6,
        type: 9,
        streamId: 1,
        timestamp: 40,
        payload: keyframe.body,
      }),
    );
    client.socket.write(full.subarray(0, 1024 + 12));
    await new Promise((r) => setTimeout(r, 100));
    client.socket.destroy();
    const reason = await ended;
    assert.ok(reason.length > 0);
    await waitFor('captures to settle', () =>
      h.app.engine.status().some((s) => s.app === 'cut') ? undefined : true,
    );
    const rows = await h.app.catalog.listSnapshotRecords({
      domainName: DOMAIN,
      appName: 'cut',
      streamName: 'cam1',
      startMs: 0,
      endMs: Date.now() + 60_000,
      order: 'asc',
      limit: 10,
    });
    assert.equal(rows.items.length, 0);
    assert.equal(existsSync(join(h.dataDir, 'storage', 'cut')), false);
  });
});
