import '../src/util/polyfill.js';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import RPCClient from '@alicloud/pop-core';
import { startApp, TEST_KEY, waitFor, type Harness } from './support/app-harness.js';
import { startReceiver, type CallbackReceiver } from './support/callback-receiver.js';
import { decodeJpeg } from './support/jpeg.js';
import { generateClip } from './support/media.js';
import {
  ffmpegRtmpServer,
  freePort,
  garbageServer,
  serveDir,
  silentServer,
  writeHls,
  type DirServer,
  type TcpServer,
} from './support/pull-sources.js';
import { pushWithNodeAv } from './support/push.js';
import { startRtspServer, type RtspServer } from './support/rtsp-server.js';

/**
 * Live snapshot jobs end to end (spec §4): sources pulled into the same hub, capture engine,
 * storage, records and callbacks as pushed streams, driven through `@alicloud/pop-core`.
 * Sources: livesnap's own RTMP server (a push from node-av), FFmpeg's RTMP listen mode (late
 * start, drop and return), HLS served by the test, and hostile ones that must stop their job
 * without disturbing the others. Sources are sent faster than real time, so 5 s of stream
 * time (one snapshot interval) takes a fraction of a second.
 */

// pop-core resolves with JSON of arbitrary shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const hasFfmpeg = existsSync('/usr/bin/ffmpeg');
const TEST_CONFIG = {
  'liveJobs.backoffBaseMs': 100,
  'liveJobs.backoffCapMs': 400,
  'liveJobs.openTimeoutMs': 1500,
  'liveJobs.readTimeoutMs': 2000,
  'liveJobs.startTimeoutMs': 2000,
  'liveJobs.maxBadAttempts': 2,
};

function rpcTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

class Ice {
  readonly client: RPCClient;
  constructor(h: Harness) {
    this.client = new RPCClient({ endpoint: h.httpUrl, apiVersion: '2020-11-09', ...TEST_KEY });
  }

  call(action: string, params: Record<string, unknown>): Promise<Json> {
    return this.client.request(action, params, { method: 'POST' });
  }

  async template(sequenceFormat: string): Promise<string> {
    const res = await this.call('CreateLiveSnapshotTemplate', {
      TemplateName: 'pull tests',
      TimeInterval: 5,
      OverwriteFormat: 'latest/{JobId}.jpg',
      SequenceFormat: sequenceFormat,
    });
    return res.TemplateId;
  }

  async submit(
    templateId: string,
    type: string,
    url: string,
    callbackUrl?: string,
  ): Promise<string> {
    const res = await this.call('SubmitLiveSnapshotJob', {
      JobName: `${type} job`,
      TemplateId: templateId,
      StreamInput: JSON.stringify({ Type: type, Url: url }),
      SnapshotOutput: JSON.stringify({ StorageType: 'oss', Endpoint: 'local', Bucket: 'snaps' }),
      ...(callbackUrl ? { CallbackUrl: callbackUrl } : {}),
    });
    return res.JobId;
  }

  job(jobId: string): Promise<Json> {
    return this.call('GetLiveSnapshotJob', { JobId: jobId });
  }

  command(jobId: string, command: string): Promise<Json> {
    return this.call('SendLiveSnapshotJobCommand', { JobId: jobId, Command: command });
  }

  /** Every file of a job (both modes), oldest first, following NextStartTime. */
  async files(jobId: string): Promise<Json[]> {
    const out: Json[] = [];
    let start = rpcTime(Date.now() - 3600_000);
    const end = rpcTime(Date.now() + 3600_000 - 1000);
    for (;;) {
      const page = await this.call('ListLiveSnapshotFiles', {
        JobId: jobId,
        StartTime: start,
        EndTime: end,
        Limit: 100,
      });
      out.push(...page.FileList);
      if (!page.NextStartTime) return out;
      start = page.NextStartTime;
    }
  }

  async sequenceFiles(jobId: string): Promise<Json[]> {
    return (await this.files(jobId)).filter((f) => !f.IsOverlay);
  }

  /** Waits until the job has at least `n` sequence files. */
  waitForFiles(jobId: string, n: number, ms = 20_000): Promise<Json[]> {
    return waitFor(
      `${n} files of job ${jobId}`,
      async () => {
        const files = await this.sequenceFiles(jobId);
        return files.length >= n ? files : undefined;
      },
      ms,
    );
  }

  waitForJob(
    jobId: string,
    what: string,
    check: (job: Json) => boolean,
    ms = 20_000,
  ): Promise<Json> {
    return waitFor(
      what,
      async () => {
        const job = await this.job(jobId);
        return check(job) ? job : undefined;
      },
      ms,
    );
  }
}

async function assertJpeg(h: Harness, file: Json, width: number, height: number): Promise<void> {
  const { body } = await h.app.storage.local.get(file.OssBucket, file.OssObject);
  const image = await decodeJpeg(Buffer.from(body));
  assert.deepEqual([image.width, image.height], [width, height]);
}

describe('live snapshot jobs pulling real sources', () => {
  let dir: string;
  let clip: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'livesnap-live-jobs-'));
    clip = await generateClip({ codec: 'h264', width: 320, height: 240, duration: 11 });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("livesnap's own RTMP server", () => {
    let h: Harness;
    let ice: Ice;
    let receiver: CallbackReceiver;
    let rtmpPort: number;
    const dataDir = () => join(dir, 'own-server');
    before(async () => {
      rtmpPort = await freePort();
      receiver = await startReceiver();
      h = await startApp({ ...TEST_CONFIG, rtmpPort }, { dataDir: dataDir() });
      ice = new Ice(h);
    });
    after(async () => {
      await h?.close();
      await receiver?.stop();
    });

    it('waits for the push, snapshots it, stops, restarts and survives a restart', async () => {
      const templateId = await ice.template('seq/{JobId}/{Date}/{Sequence}-{UnixTimestamp}.jpg');
      const url = h.rtmpUrl('live', 'cam1');
      const jobId = await ice.submit(templateId, 'rtmp', url, receiver.url('/ice'));

      const waiting = await ice.waitForJob(jobId, 'the job to wait', (j) => !!j.LastError);
      assert.equal(waiting.Status, 'init');
      assert.equal(waiting.PullStatus, 'waiting');
      assert.match(waiting.LastError, /127\.0\.0\.1\/live\/cam1 is not being pushed/);

      await pushWithNodeAv(clip, url, { realtime: false }).done;
      const files = await ice.waitForFiles(jobId, 3);
      const job = await ice.job(jobId);
      assert.equal(job.Status, 'started');
      assert.ok(['connected', 'reconnecting', 'waiting'].includes(job.PullStatus));
      const day = new Date().toISOString().slice(0, 10);
      files.forEach((f, i) => {
        assert.equal(f.OssObject, `seq/${jobId}/${day}/${i + 1}-${f.CreateTimestamp}.jpg`);
        assert.equal(f.OssEndpoint, 'local');
        assert.deepEqual([f.Width, f.Height], [320, 240]);
      });
      await assertJpeg(h, files[0], 320, 240);
      const overlay = (await ice.files(jobId)).filter((f) => f.IsOverlay);
      assert.deepEqual(
        overlay.map((f) => f.OssObject),
        [`latest/${jobId}.jpg`],
      );

      // Each file announced to the job's CallbackUrl as ICE's LiveSnapshotFileCreated.
      const events = await waitFor('callbacks', () =>
        receiver.received.length >= 4 ? receiver.received : undefined,
      );
      const event = events.find((e) => e.body.MessageBody.OssObject === files[0].OssObject)!;
      assert.equal(event.body.EventType, 'LiveSnapshotFileCreated');
      assert.equal(event.body.MessageBody.JobId, jobId);
      assert.equal(event.body.MessageBody.CreateTimestamp, files[0].CreateTimestamp);
      assert.equal(event.body.MessageBody.IsOverlay, false);
      assert.match(event.body.MessageBody.Url, /^http:\/\/127\.0\.0\.1:\d+\/storage\/snaps\/seq\//);

      // Stopped: a new push is not snapshotted.
      await ice.command(jobId, 'stop');
      assert.equal((await ice.job(jobId)).Status, 'paused');
      await pushWithNodeAv(clip, url, { realtime: false }).done;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await ice.sequenceFiles(jobId)).length, files.length);

      // Restarted: the next push is.
      await ice.command(jobId, 'restart');
      assert.equal((await ice.job(jobId)).Status, 'init');
      await pushWithNodeAv(clip, url, { realtime: false }).done;
      const more = await ice.waitForFiles(jobId, files.length + 3);
      assert.equal(more.at(-1).OssObject.split('/')[3].split('-')[0], String(more.length));
      assert.equal((await ice.job(jobId)).Status, 'started');

      // livesnap restarts: the job resumes and snapshots the next push.
      await h.close();
      h = await startApp({ ...TEST_CONFIG, rtmpPort }, { dataDir: dataDir() });
      ice = new Ice(h);
      await ice.waitForJob(jobId, 'the job to resume', (j) => j.PullStatus === 'waiting');
      await pushWithNodeAv(clip, url, { realtime: false }).done;
      await ice.waitForFiles(jobId, more.length + 3);
    });
  });

  describe('pulled over the network', () => {
    let h: Harness;
    let ice: Ice;
    let web: DirServer;
    let garbage: TcpServer;
    let silent: TcpServer;
    let rtsp: RtspServer;
    before(async () => {
      await writeHls(clip, join(dir, 'hls'));
      rtsp = await startRtspServer(clip);
      web = await serveDir(dir);
      garbage = await garbageServer();
      silent = await silentServer();
      h = await startApp(TEST_CONFIG);
      ice = new Ice(h);
    });
    after(async () => {
      await h?.close();
      await Promise.all([web?.close(), garbage?.close(), silent?.close(), rtsp?.close()]);
    });

    it(
      'RTMP from FFmpeg: a source that starts late, drops and comes back',
      { skip: !hasFfmpeg && 'no /usr/bin/ffmpeg' },
      async () => {
        const port = await freePort();
        const templateId = await ice.template('rtmp/{JobId}/{Sequence}.jpg');
        const jobId = await ice.submit(templateId, 'rtmp', `rtmp://127.0.0.1:${port}/live/source`);
        const waiting = await ice.waitForJob(jobId, 'a failed attempt', (j) => !!j.LastError);
        assert.equal(waiting.Status, 'init');
        assert.match(waiting.LastError, /Connection refused/);

        const first = ffmpegRtmpServer(clip, port); // serves one player, then exits
        const files = await ice.waitForFiles(jobId, 3);
        await first.done;
        assert.equal((await ice.job(jobId)).Status, 'started');
        await ice.waitForJob(
          jobId,
          'the job to notice the drop',
          (j) => j.PullStatus === 'reconnecting',
        );

        const second = ffmpegRtmpServer(clip, port);
        await ice.waitForFiles(jobId, files.length + 3);
        await second.stop();
        await assertJpeg(h, files[1], 320, 240);
        await ice.command(jobId, 'stop');
      },
    );

    it('HLS and RTSP keep working while broken sources stop their own jobs', async () => {
      const templateId = await ice.template('{JobId}/{UnixTimestamp}.jpg');
      const hls = await ice.submit(templateId, 'hls', web.url('hls/index.m3u8'));
      const camera = await ice.submit(templateId, 'rtsp', rtsp.url());
      const trash = await ice.submit(
        templateId,
        'flv',
        `http://127.0.0.1:${garbage.port}/live.flv`,
      );
      const mute = await ice.submit(templateId, 'rtmp', `rtmp://127.0.0.1:${silent.port}/live/x`);

      const files = await ice.waitForFiles(hls, 2);
      await assertJpeg(h, files[0], 320, 240);
      assert.match(files[0].OssObject, new RegExp(`^${hls}/\\d{13}\\.jpg$`));
      assert.equal(files[0].OssObject, `${hls}/${files[0].CreateTimestamp}.jpg`);
      const cameraFiles = await ice.waitForFiles(camera, 2);
      await assertJpeg(h, cameraFiles[1], 320, 240);

      const stopped = (job: Json) => job.Status === 'paused';
      const garbageJob = await ice.waitForJob(trash, 'the garbage job to stop', stopped);
      assert.equal(garbageJob.PullStatus, 'stopped');
      assert.match(garbageJob.LastError, /Invalid data/);
      const silentJob = await ice.waitForJob(mute, 'the silent job to stop', stopped);
      assert.match(silentJob.LastError, /accepts connections but does not answer as a rtmp source/);
      assert.equal(garbage.connections, 2, 'tried maxBadAttempts times, then left alone');
      assert.deepEqual(await ice.files(trash), []);

      const hlsJob = await ice.job(hls);
      assert.equal(hlsJob.Status, 'started');
      assert.notEqual(hlsJob.PullStatus, 'stopped');
      // A stopped job can be started again (and fails again the same way).
      await ice.command(trash, 'start');
      assert.equal((await ice.job(trash)).Status, 'init');
      await ice.waitForJob(trash, 'the garbage job to stop again', stopped);
      await ice.command(hls, 'stop');
      await ice.command(camera, 'stop');
    });
  });
});
