import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApp, waitFor, type Harness } from './support/app-harness.js';
import { CallbackReceiver } from './support/callback-receiver.js';
import { generateCodedClip, readFrameNumber } from './support/job-media.js';
import { decodeJpeg } from './support/jpeg.js';

/**
 * Snapshot jobs on files through `@alicloud/pop-core` (apiVersion 2020-11-09, GET and POST)
 * against a running livesnap: submit, status, listing, signed URLs, WebVTT as a player reads
 * it, templates, registered media, pipelines, UserData, completion callbacks, cancel, and
 * failures that remove partial outputs.
 */

// pop-core resolves with the parsed JSON of arbitrary shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const RPC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ICE_ID = /^[0-9a-f]{32}$/;
const NORMAL = 'S00000002-000001';
const SPRITE = 'S00000002-000002';
const WEBVTT = 'S00000002-000003';

let h: Harness;
let receiver: CallbackReceiver;
let storage: string;

before(async () => {
  receiver = await new CallbackReceiver().start();
  h = await startApp({
    'storage.publicRead': true,
    'jobs.notifyUrl': receiver.url('/jobs'),
    'jobs.pipelines': [
      { id: 'default', concurrency: 2, priority: 5 },
      { id: 'urgent', concurrency: 1, priority: 9 },
    ],
  });
  storage = join(h.dataDir, 'storage');
  await mkdir(join(storage, 'media'), { recursive: true });
  const clip = await generateCodedClip({ width: 160, height: 90, frames: 250, gop: 25 });
  await copyFile(clip, join(storage, 'media', 'clip.mp4'));
  const long = await generateCodedClip({
    width: 320,
    height: 180,
    frames: 1500,
    gop: 250,
    fps: 50,
  });
  await copyFile(long, join(storage, 'media', 'long.mp4'));
});
after(async () => {
  await h?.close();
  await receiver?.stop();
});

function call(action: string, params: Record<string, unknown>, method: 'GET' | 'POST' = 'POST') {
  // json-bigint gives objects without a prototype: plain ones compare more simply.
  return h.ice
    .request(action, params, { method, timeout: 10_000 })
    .then((res) => JSON.parse(JSON.stringify(res)) as Json);
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<Json> {
  let data: Json;
  await assert.rejects(p, (err: Json) => {
    data = err.data;
    return err.code === code;
  });
  return data;
}

function submit(
  output: string,
  templateId: string,
  overwrite: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  input = 'oss://media/clip.mp4',
): Promise<Json> {
  return call('SubmitSnapshotJob', {
    Input: JSON.stringify({ Type: 'OSS', Media: input }),
    Output: JSON.stringify({ Type: 'OSS', Media: output }),
    TemplateConfig: JSON.stringify({ TemplateId: templateId, OverwriteParams: overwrite }),
    ...extra,
  });
}

async function finished(jobId: string): Promise<Json> {
  return waitFor(`job ${jobId}`, async () => {
    const { SnapshotJob } = await call('GetSnapshotJob', { JobId: jobId }, 'GET');
    return SnapshotJob.Status === 'Init' ? undefined : SnapshotJob;
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('snapshot jobs through pop-core', () => {
  it('runs a Normal job: shapes, UserData, signed URLs of the right frames', async () => {
    const userData = JSON.stringify({ k: 'v' });
    const { JobId, RequestId } = await submit(
      'oss://out/normal/snap-{Count}.jpg',
      NORMAL,
      { Count: 3, Interval: 3, FrameType: 'normal', Time: 1000 },
      { Name: 'SampleJob', UserData: userData },
    );
    assert.match(JobId, ICE_ID);
    assert.ok(RequestId);
    const job = await finished(JobId);
    assert.deepEqual(Object.keys(job).sort(), [
      'Async',
      'Code',
      'Count',
      'CreateTime',
      'FinishTime',
      'Input',
      'JobId',
      'Message',
      'ModifiedTime',
      'Name',
      'Output',
      'PipelineId',
      'Status',
      'SubmitTime',
      'TemplateConfig',
      'TemplateId',
      'TriggerSource',
      'Type',
      'UserData',
    ]);
    assert.equal(job.Status, 'Success', job.Message);
    assert.equal(job.Type, 'Normal');
    assert.equal(job.Count, 3);
    assert.equal(job.Name, 'SampleJob');
    assert.equal(job.UserData, userData);
    assert.equal(job.TriggerSource, 'API');
    assert.equal(job.PipelineId, 'default');
    assert.equal(job.TemplateId, NORMAL);
    assert.deepEqual(JSON.parse(job.TemplateConfig), {
      Type: 'Normal',
      FrameType: 'normal',
      Time: 1000,
      Count: 3,
      Interval: 3,
    });
    assert.deepEqual(job.Input, {
      Type: 'OSS',
      Media: 'oss://media/clip.mp4',
      OssFile: { Bucket: 'media', Location: 'local', Object: 'clip.mp4' },
    });
    assert.deepEqual(job.Output.OssFile, {
      Bucket: 'out',
      Location: 'local',
      Object: 'normal/snap-{Count}.jpg',
    });
    for (const t of ['CreateTime', 'SubmitTime', 'ModifiedTime', 'FinishTime'])
      assert.match(job[t], RPC_TIME);

    const urls = await call('GetSnapshotUrls', { JobId, Timeout: 600 }, 'GET');
    assert.equal(urls.Total, 3);
    assert.equal(urls.WebVTTUrl, undefined);
    const frames = [];
    for (const url of urls.SnapshotUrls as string[]) {
      assert.match(
        url,
        /\/storage\/out\/normal\/snap-0000\d\.jpg\?AccessKeyId=.*&Expires=\d+&Signature=/,
      );
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/jpeg');
      frames.push(readFrameNumber(await decodeJpeg(Buffer.from(await res.arrayBuffer()))));
    }
    assert.deepEqual(frames, [25, 100, 175]);
    const paged = await call('GetSnapshotUrls', {
      JobId,
      PageSize: 2,
      PageNumber: 2,
      OrderBy: 'Desc',
    });
    assert.equal(paged.SnapshotUrls.length, 1);
    assert.match(paged.SnapshotUrls[0], /snap-00001\.jpg/);

    // The completion callback, with the job's fields.
    await receiver.until('SnapshotComplete', () =>
      receiver.received.some((r) => r.body?.MessageBody?.JobId === JobId),
    );
    const cb = receiver.received.find((r) => r.body?.MessageBody?.JobId === JobId)!;
    assert.equal(cb.path, '/jobs');
    assert.equal(cb.headers['x-livesnap-event'], 'SnapshotComplete');
    assert.equal(cb.body.Event, 'SnapshotComplete');
    assert.equal(cb.body.EventType, 'SnapshotComplete');
    assert.match(cb.body.EventTime, RPC_TIME);
    assert.deepEqual(
      {
        Status: cb.body.MessageBody.Status,
        Code: cb.body.MessageBody.Code,
        Count: cb.body.MessageBody.Count,
        UserData: cb.body.MessageBody.UserData,
        Type: cb.body.MessageBody.Type,
        Name: cb.body.MessageBody.Name,
      },
      {
        Status: 'Success',
        Code: '',
        Count: 3,
        UserData: userData,
        Type: 'Normal',
        Name: 'SampleJob',
      },
    );
  });

  it('runs Sprite and WebVtt jobs; the track works the way a player reads it', async () => {
    const sprite = await submit('oss://out/sprite/s-{TileCount}.jpg', SPRITE, {
      Interval: 2,
      Width: 80,
      SpriteSnapshotConfig: { Columns: 3, Lines: 1 },
    });
    const vtt = await submit('oss://out/vtt/track.vtt', WEBVTT, {
      Interval: 2.5,
      Width: 64,
      SpriteSnapshotConfig: { Columns: 2, Lines: 2, Padding: 2 },
    });
    const s = await finished(sprite.JobId);
    assert.equal(s.Status, 'Success', s.Message);
    assert.equal(s.Type, 'Sprite');
    assert.equal(s.Count, 5);
    const sUrls = await call('GetSnapshotUrls', { JobId: sprite.JobId });
    assert.equal(sUrls.Total, 2);
    const v = await finished(vtt.JobId);
    assert.equal(v.Status, 'Success', v.Message);
    assert.equal(v.Count, 4);
    const vUrls = await call('GetSnapshotUrls', { JobId: vtt.JobId });
    assert.equal(vUrls.Total, 1);
    assert.match(vUrls.WebVTTUrl, /\/storage\/out\/vtt\/track\.vtt\?/);
    // A player: fetch the track, resolve each cue's image against the track's URL, crop.
    const res = await fetch(vUrls.WebVTTUrl);
    assert.match(res.headers.get('content-type') ?? '', /^text\/vtt/);
    const text = await res.text();
    const cues = [...text.matchAll(/([\d:.]+) --> ([\d:.]+)\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)/g)];
    assert.equal(cues.length, 4);
    for (const [i, cue] of cues.entries()) {
      const image = new URL(cue[3]!, vUrls.WebVTTUrl.split('?')[0]);
      const jpeg = await fetch(image);
      assert.equal(jpeg.status, 200, `${image}`);
      const img = await decodeJpeg(Buffer.from(await jpeg.arrayBuffer()));
      const [x, y, w, hh] = cue.slice(4, 8).map(Number) as [number, number, number, number];
      assert.equal(readFrameNumber(img, { x, y, w, h: hh }), [0, 50, 125, 175][i], `cue ${i}`);
    }
  });

  it('manages snapshot templates and their defaults', async () => {
    const created = await call('CreateCustomTemplate', {
      Name: 'thumbs',
      Type: 2,
      Subtype: 2,
      TemplateConfig: JSON.stringify({
        Type: 'Sprite',
        Interval: 5,
        Width: 48,
        SpriteSnapshotConfig: { Columns: 2, Lines: 1, Color: '#00FF00' },
      }),
    });
    const t = created.CustomTemplate;
    assert.match(t.TemplateId, ICE_ID);
    assert.equal(t.Subtype, 'Sprite', 'Create names the subtype');
    assert.equal(t.Type, 2);
    assert.equal(t.TypeName, 'SnapshotTemplate');
    assert.equal(t.IsDefault, false);
    const got = (await call('GetCustomTemplate', { TemplateId: t.TemplateId }, 'GET'))
      .CustomTemplate;
    assert.equal(got.Subtype, 2, 'Get gives the subtype number');
    assert.equal(got.SubtypeName, 'Sprite');
    assert.equal(JSON.parse(got.TemplateConfig).Interval, 5);
    // A job on it.
    const job = await finished(
      (await submit('oss://out/custom/c-{TileCount}.jpg', t.TemplateId)).JobId,
    );
    assert.equal(job.Status, 'Success', job.Message);
    assert.equal(job.Count, 2);
    // Update, default, list, delete.
    assert.deepEqual(
      Object.keys(
        await call('UpdateCustomTemplate', { TemplateId: t.TemplateId, Name: 'renamed' }),
      ),
      ['RequestId', 'Success'],
    );
    const byType = (await call('GetCustomTemplate', { Type: 2, Subtype: 2 })).CustomTemplate;
    assert.equal(byType.TemplateId, SPRITE, 'the system template is the default');
    assert.equal(byType.IsDefault, true);
    await call('SetDefaultCustomTemplate', { TemplateId: t.TemplateId });
    const def = (await call('GetCustomTemplate', { Type: 2, Subtype: 2 })).CustomTemplate;
    assert.deepEqual(
      [def.TemplateId, def.TemplateName, def.IsDefault],
      [t.TemplateId, 'renamed', true],
    );
    const list = await call(
      'ListCustomTemplates',
      { Type: '2', Subtype: '2', OrderBy: 'CreateTimeDesc' },
      'GET',
    );
    assert.equal(list.Total, 2);
    assert.deepEqual(
      list.CustomTemplateList.map((x: Json) => [x.TemplateId, x.IsDefault]),
      [
        [t.TemplateId, true],
        [SPRITE, false],
      ],
    );
    const page = await call('ListCustomTemplates', {
      Type: '2',
      PageSize: 2,
      PageNumber: 2,
      OrderBy: 'CreationTime:Asc',
    });
    assert.equal(page.Total, 4);
    assert.deepEqual(
      page.CustomTemplateList.map((x: Json) => x.TemplateId),
      [WEBVTT, t.TemplateId],
    );
    assert.deepEqual((await call('ListCustomTemplates', { Type: '1' })).CustomTemplateList, []);
    await rejectsWith(call('UpdateCustomTemplate', { TemplateId: NORMAL, Name: 'x' }), 'Forbidden');
    await rejectsWith(call('DeleteCustomTemplate', { TemplateId: SPRITE }), 'Forbidden');
    await rejectsWith(
      call('UpdateCustomTemplate', {
        TemplateId: t.TemplateId,
        TemplateConfig: JSON.stringify({ Type: 'Normal' }),
      }),
      'InvalidParameter',
    );
    await call('DeleteCustomTemplate', { TemplateId: t.TemplateId });
    await rejectsWith(call('GetCustomTemplate', { TemplateId: t.TemplateId }), 'TemplateNotFound');
    await rejectsWith(
      call('DeleteCustomTemplate', { TemplateId: t.TemplateId }),
      'TemplateNotFound',
    );
    const back = (await call('GetCustomTemplate', { Type: 2, Subtype: 2 })).CustomTemplate;
    assert.equal(back.TemplateId, SPRITE, 'deleting the default restores the system one');
    await rejectsWith(
      call('CreateCustomTemplate', { Name: 'x', Type: 1, TemplateConfig: '{}' }),
      'InvalidParameter',
    );
    await rejectsWith(
      call('CreateCustomTemplate', { Name: 'x', Type: 2, TemplateConfig: '{"Count":-1}' }),
      'InvalidParameter',
    );
  });

  it('reads registered media', async () => {
    const { MediaId } = await call('RegisterMediaInfo', {
      InputURL: 'oss://media/clip.mp4',
      Title: 'Clip',
    });
    assert.match(MediaId, ICE_ID);
    const info = (await call('GetMediaInfo', { MediaId }, 'GET')).MediaInfo;
    assert.equal(info.MediaBasicInfo.InputURL, 'oss://media/clip.mp4');
    assert.equal(info.MediaBasicInfo.Title, 'Clip');
    assert.equal(info.FileInfoList[0].FileBasicInfo.FileName, 'clip.mp4');
    await rejectsWith(call('GetMediaInfo', { MediaId: 'f'.repeat(32) }), 'MediaNotFound');
    const { JobId } = await call('SubmitSnapshotJob', {
      Input: JSON.stringify({ Type: 'Media', Media: MediaId }),
      Output: JSON.stringify({ Type: 'OSS', Media: 'oss://out/media/m.jpg' }),
      TemplateConfig: JSON.stringify({ TemplateId: NORMAL, OverwriteParams: { Time: 4000 } }),
    });
    const job = await finished(JobId);
    assert.equal(job.Status, 'Success', job.Message);
    assert.deepEqual(job.Input, { Type: 'Media', Media: MediaId });
    const img = await decodeJpeg(await readFile(join(storage, 'out', 'media', 'm.jpg')));
    assert.equal(readFrameNumber(img), 100);
  });

  it('reads http(s) inputs with FFmpeg (seeking by range requests)', async () => {
    const url = `${h.httpUrl}/storage/media/clip.mp4`; // publicRead: a plain URL works
    const { JobId } = await submit(
      'oss://out/http/h-{Count}.jpg',
      NORMAL,
      { Count: 2, Interval: 6 },
      {},
      url,
    );
    const job = await finished(JobId);
    assert.equal(job.Status, 'Success', job.Message);
    assert.deepEqual(job.Input, { Type: 'OSS', Media: url });
    const img = await decodeJpeg(await readFile(join(storage, 'out', 'http', 'h-00002.jpg')));
    assert.equal(readFrameNumber(img), 150);
    const gone = await finished(
      (await submit('oss://out/http/g.jpg', NORMAL, {}, {}, `${h.httpUrl}/storage/media/none.mp4`))
        .JobId,
    );
    assert.deepEqual([gone.Status, gone.Code], ['Fail', 'InputUnreadable']);
  });

  it('lists jobs with filters and page tokens', async () => {
    const all = await call('ListSnapshotJobs', { PageSize: 100 }, 'GET');
    assert.ok(all.Jobs.length >= 5);
    assert.equal(all.NextPageToken, '');
    const item = all.Jobs[0];
    assert.deepEqual(Object.keys(item).sort(), [
      'Async',
      'Count',
      'CreateTime',
      'FinishTime',
      'Input',
      'JobId',
      'ModifiedTime',
      'Name',
      'Output',
      'PipelineId',
      'Status',
      'SubmitTime',
      'TemplateId',
      'TriggerSource',
      'Type',
    ]);
    const seen: string[] = [];
    let token = '';
    do {
      const page = await call('ListSnapshotJobs', {
        PageSize: 2,
        OrderBy: 'CreateTimeAsc',
        ...(token ? { NextPageToken: token } : {}),
      });
      assert.ok(page.Jobs.length <= 2);
      seen.push(...page.Jobs.map((j: Json) => j.JobId));
      token = page.NextPageToken;
    } while (token);
    assert.deepEqual(seen, [...all.Jobs.map((j: Json) => j.JobId)].reverse());
    const ok = await call('ListSnapshotJobs', { Status: 'Success', PageSize: 100 });
    assert.ok(ok.Jobs.every((j: Json) => j.Status === 'Success'));
    const one = await call('ListSnapshotJobs', { JobId: item.JobId });
    assert.deepEqual(
      one.Jobs.map((j: Json) => j.JobId),
      [item.JobId],
    );
    const none = await call('ListSnapshotJobs', { StartOfCreateTime: '2099-01-01T00:00:00Z' });
    assert.deepEqual(none.Jobs, []);
    await rejectsWith(call('ListSnapshotJobs', { NextPageToken: 'garbage' }), 'InvalidParameter');
  });

  it('refuses bad requests with the ICE codes', async () => {
    await rejectsWith(
      call('SubmitSnapshotJob', { Output: '{}', TemplateConfig: '{}' }),
      'MissingParameter',
    );
    await rejectsWith(submit('oss://out/x.jpg', NORMAL, { Count: 3 }), 'InvalidParameter'); // no {Count}
    await rejectsWith(submit('oss://out/x.jpg', SPRITE), 'InvalidParameter'); // no {TileCount}
    await rejectsWith(submit('oss://out/x.jpg', WEBVTT), 'InvalidParameter'); // not .vtt
    await rejectsWith(submit('oss://out/x.jpg', 'f'.repeat(32)), 'TemplateNotFound');
    await rejectsWith(
      submit('oss://out/x.jpg', NORMAL, { FrameType: 'sometimes' }),
      'InvalidParameter',
    );
    await rejectsWith(
      submit('oss://out/x.jpg', NORMAL, {}, { ScheduleConfig: '{"PipelineId":"nope"}' }),
      'InvalidParameter',
    );
    await rejectsWith(submit('oss://out/../x.jpg', NORMAL), 'InvalidParameter');
    await rejectsWith(
      submit('oss://out/x.jpg', NORMAL, {}, {}, 'ftp://example.com/a.mp4'),
      'InvalidParameter',
    );
    await rejectsWith(
      call('SubmitSnapshotJob', {
        Input: JSON.stringify({ Type: 'OSS', Media: 'oss://media/clip.mp4' }),
        Output: JSON.stringify({ Type: 'OSS', Media: 'oss://out/x.jpg' }),
        TemplateConfig: '{not json',
      }),
      'InvalidParameter',
    );
    const data = await rejectsWith(
      call('GetSnapshotJob', { JobId: 'f'.repeat(32) }),
      'JobNotFound',
    );
    assert.equal(data.Message, 'No such job.');
    await rejectsWith(call('GetSnapshotUrls', { JobId: 'f'.repeat(32) }), 'JobNotFound');
    await rejectsWith(call('GetSnapshotUrls', { JobId: 'x', PageSize: 31 }), 'InvalidParameter');
  });

  it('runs jobs in the pipeline asked for', async () => {
    const { JobId } = await submit(
      'oss://out/urgent/u.jpg',
      NORMAL,
      {},
      { ScheduleConfig: JSON.stringify({ PipelineId: 'urgent' }) },
    );
    const job = await finished(JobId);
    assert.equal(job.PipelineId, 'urgent');
    assert.equal(job.Status, 'Success');
  });

  it('fails a job on a missing or corrupt input, removing what it wrote', async () => {
    const missing = await finished(
      (await submit('oss://out/f/m.jpg', NORMAL, {}, {}, 'oss://media/none.mp4')).JobId,
    );
    assert.deepEqual([missing.Status, missing.Code], ['Fail', 'InputNotFound']);
    assert.match(missing.Message, /oss:\/\/media\/none\.mp4 does not exist/);
    // A file cut short: the first snapshots are written, then the job fails and removes them.
    const flv = await generateCodedClip({
      container: 'flv',
      width: 160,
      height: 90,
      frames: 250,
      gop: 25,
    });
    const bytes = await readFile(flv);
    await writeFile(
      join(storage, 'media', 'cut.flv'),
      bytes.subarray(0, Math.floor(bytes.length * 0.6)),
    );
    const cut = await finished(
      (
        await submit(
          'oss://out/cut/c-{Count}.jpg',
          NORMAL,
          { Count: 5, Interval: 2 },
          {},
          'oss://media/cut.flv',
        )
      ).JobId,
    );
    assert.deepEqual([cut.Status, cut.Code], ['Fail', 'NoFrames']);
    assert.match(cut.Message, /truncated/);
    assert.equal(
      await exists(join(storage, 'out', 'cut', 'c-00001.jpg')),
      false,
      'partial outputs removed',
    );
    const urls = await call('GetSnapshotUrls', { JobId: cut.JobId });
    assert.deepEqual([urls.Total, urls.SnapshotUrls], [0, []]);
    await receiver.until('the failure callback', () =>
      receiver.received.some((r) => r.body?.MessageBody?.JobId === cut.JobId),
    );
    const cb = receiver.received.find((r) => r.body?.MessageBody?.JobId === cut.JobId)!;
    assert.deepEqual([cb.body.MessageBody.Status, cb.body.MessageBody.Code], ['Fail', 'NoFrames']);
  });

  it('cancels a running job and removes its outputs', async () => {
    const notify = receiver.url('/mine');
    const { JobId } = await submit(
      'oss://out/cancel/c-{Count}.jpg',
      NORMAL,
      { Count: 600, Interval: 0.05, FrameType: 'normal' },
      { UserData: JSON.stringify({ NotifyAddress: notify }) },
      'oss://media/long.mp4',
    );
    await waitFor('some outputs', async () => {
      const j = await h.app.catalog.getSnapshotJob(JobId);
      return j && j.images.length > 3 ? j : undefined;
    });
    assert.deepEqual(Object.keys(await call('CancelSnapshotJob', { JobId })), [
      'RequestId',
      'JobId',
    ]);
    const job = await finished(JobId);
    assert.deepEqual([job.Status, job.Code], ['Fail', 'JobCancelled']);
    assert.equal(await exists(join(storage, 'out', 'cancel', 'c-00001.jpg')), false);
    await receiver.until('callback to NotifyAddress', () =>
      receiver.received.some((r) => r.path === '/mine' && r.body?.MessageBody?.JobId === JobId),
    );
    await rejectsWith(call('CancelSnapshotJob', { JobId: 'f'.repeat(32) }), 'JobNotFound');
    const done = (await call('ListSnapshotJobs', { Status: 'Success', PageSize: 1 })).Jobs[0];
    await rejectsWith(call('CancelSnapshotJob', { JobId: done.JobId }), 'JobAlreadyFinished');
  });
});
