import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import RPCClient from '@alicloud/pop-core';
import { LIVE_JOBS_APP, LIVE_JOBS_DOMAIN } from '../src/jobs/live-job-keys.js';
import { startApp, TEST_KEY, waitFor, type Harness } from './support/app-harness.js';
import { freePort } from './support/pull-sources.js';
import { NetStatus } from '../src/ingest/rtmp/commands.js';
import { RtmpPublishClient } from '../src/ingest/rtmp/publish-client.js';

/**
 * The ICE live snapshot family (spec §4) through `@alicloud/pop-core` (apiVersion
 * 2020-11-09): templates, jobs, commands, limits, files, errors. Jobs here point at sources
 * that are not live, so nothing is pulled; test/live-jobs-pull.test.ts pulls real media.
 */

// pop-core resolves with JSON of arbitrary shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const RPC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const MAX_ACTIVE = 3;

function rpcTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<Json> {
  let data: Json;
  await assert.rejects(p, (err: Error & { code: string; data: Json }) => {
    data = err.data;
    return err.code === code;
  });
  assert.match(data.RequestId, REQUEST_ID);
  if (message) assert.match(data.Message, message);
  return data;
}

describe('ICE live snapshot API', () => {
  let h: Harness;
  let ice: RPCClient;
  let offline: string;
  /** pop-core would send `undefined` as text: such parameters are left out. */
  const call = (action: string, params: Record<string, unknown> = {}, post = false) =>
    ice.request(
      action,
      Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)),
      post ? { method: 'POST' } : {},
    ) as Promise<Json>;

  const template = async (extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await call(
      'CreateLiveSnapshotTemplate',
      {
        TemplateName: 'every five seconds',
        TimeInterval: 5,
        OverwriteFormat: 'snapshot/{JobId}.jpg',
        SequenceFormat: 'snapshot/{JobId}/{UnixTimestamp}.jpg',
        ...extra,
      },
      true,
    );
    return res.TemplateId;
  };
  const submit = async (templateId: string, extra: Record<string, unknown> = {}) =>
    call(
      'SubmitLiveSnapshotJob',
      {
        JobName: 'camera 1',
        TemplateId: templateId,
        StreamInput: JSON.stringify({ Type: 'rtmp', Url: offline }),
        SnapshotOutput: JSON.stringify({ StorageType: 'oss', Endpoint: 'local', Bucket: 'snaps' }),
        ...extra,
      },
      true,
    );

  before(async () => {
    h = await startApp({
      'liveJobs.maxActive': MAX_ACTIVE,
      'liveJobs.backoffBaseMs': 100,
      'liveJobs.backoffCapMs': 500,
    });
    ice = new RPCClient({ endpoint: h.httpUrl, apiVersion: '2020-11-09', ...TEST_KEY });
    offline = `rtmp://127.0.0.1:${await freePort()}/live/offline`;
  });
  after(async () => {
    await h?.close();
  });

  it('refuses an RTMP push into the reserved live-job domain (BadName), takes others', async () => {
    const push = async (domain: string) => {
      const client = await RtmpPublishClient.connect({
        host: '127.0.0.1',
        port: h.rtmpPort,
        app: LIVE_JOBS_APP,
        tcUrl: `rtmp://${domain}:${h.rtmpPort}/${LIVE_JOBS_APP}`,
      });
      try {
        return await client.publish('some-job-id');
      } finally {
        client.socket.destroy();
      }
    };
    const refused = await push(LIVE_JOBS_DOMAIN.toUpperCase());
    assert.equal(refused['code'], NetStatus.PublishBadName);
    assert.match(String(refused['description']), /reserved for live jobs/);
    assert.equal(
      h.app.hub.get({ domain: LIVE_JOBS_DOMAIN, app: LIVE_JOBS_APP, stream: 'some-job-id' }),
      undefined,
    );
    const taken = await push('cams.example.com');
    assert.equal(taken['code'], NetStatus.PublishStart);
  });

  describe('templates', () => {
    it('create, get, update, list, delete', async () => {
      const id = await template({ TemplateName: 'tpl-crud' });
      const got = await call('GetLiveSnapshotTemplate', { TemplateId: id });
      assert.deepEqual(Object.keys(got).sort(), [
        'CreateTime',
        'LastModified',
        'OverwriteFormat',
        'RequestId',
        'SequenceFormat',
        'TemplateId',
        'TemplateName',
        'TimeInterval',
        'Type',
      ]);
      assert.equal(got.Type, 'custom');
      assert.equal(got.TimeInterval, 5);
      assert.match(got.CreateTime, RPC_TIME);

      const updated = await call(
        'UpdateLiveSnapshotTemplate',
        {
          TemplateId: id,
          TemplateName: 'tpl-crud-2',
          TimeInterval: 60,
          SequenceFormat: 'a/{Date}/{Sequence}.jpg',
        },
        true,
      );
      assert.deepEqual(Object.keys(updated), ['RequestId']);
      const after = await call('GetLiveSnapshotTemplate', { TemplateId: id });
      assert.equal(after.TemplateName, 'tpl-crud-2');
      assert.equal(after.TimeInterval, 60);
      assert.equal(after.OverwriteFormat, undefined, 'update replaces both formats');

      const list = await call('ListLiveSnapshotTemplates', { SearchKeyWord: 'crud-2' });
      assert.equal(list.TotalCount, 1);
      assert.equal(list.TemplateList[0].TemplateId, id);
      assert.deepEqual([list.PageNo, list.PageSize, list.SortBy], [1, 10, 'desc']);

      await call('DeleteLiveSnapshotTemplate', { TemplateId: id }, true);
      await rejects(call('GetLiveSnapshotTemplate', { TemplateId: id }), 'TemplateNotFound');
      await rejects(
        call('DeleteLiveSnapshotTemplate', { TemplateId: id }, true),
        'TemplateNotFound',
      );
      await rejects(
        call(
          'UpdateLiveSnapshotTemplate',
          { TemplateId: id, TemplateName: 'x', TimeInterval: 5, OverwriteFormat: 'a.jpg' },
          true,
        ),
        'TemplateNotFound',
      );
    });

    it('lists with paging, order, ids and type', async () => {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await template({ TemplateName: `paged-${i}` }));
      const page1 = await call('ListLiveSnapshotTemplates', {
        SearchKeyWord: 'paged-',
        PageSize: 2,
        SortBy: 'asc',
      });
      assert.equal(page1.TotalCount, 5);
      assert.deepEqual(
        page1.TemplateList.map((t: Json) => t.TemplateId),
        ids.slice(0, 2),
      );
      const page3 = await call('ListLiveSnapshotTemplates', {
        SearchKeyWord: 'paged-',
        PageSize: 2,
        PageNo: 3,
        SortBy: 'asc',
      });
      assert.deepEqual(
        page3.TemplateList.map((t: Json) => t.TemplateId),
        ids.slice(4),
      );
      const byIds = await call('ListLiveSnapshotTemplates', { TemplateIds: [ids[1], ids[3]] });
      assert.deepEqual(
        byIds.TemplateList.map((t: Json) => t.TemplateId).sort(),
        [ids[1], ids[3]].sort(),
      );
      const system = await call('ListLiveSnapshotTemplates', { Type: 'system' });
      assert.equal(system.TotalCount, 0);
      await rejects(call('ListLiveSnapshotTemplates', { PageSize: 101 }), 'InvalidParameter');
      await rejects(call('ListLiveSnapshotTemplates', { SortBy: 'up' }), 'InvalidParameter');
    });

    it('validates names, intervals and naming formats', async () => {
      const bad = async (
        extra: Record<string, unknown>,
        pattern: RegExp,
        code = 'InvalidParameter',
      ) => rejects(template(extra), code, pattern);
      await bad({ TemplateName: undefined }, /TemplateName/, 'MissingParameter');
      await bad({ TemplateName: 'x'.repeat(129) }, /TemplateName/);
      await bad({ TimeInterval: 4 }, /TimeInterval/);
      await bad({ TimeInterval: 3601 }, /TimeInterval/);
      await bad({ OverwriteFormat: undefined, SequenceFormat: undefined }, /at least one/);
      await bad({ OverwriteFormat: '/abs/{JobId}.jpg' }, /must not start with "\/"/);
      await bad({ OverwriteFormat: 'a/{JobId}.png' }, /\.jpg/);
      await bad({ OverwriteFormat: 'a/{UnixTimestamp}.jpg' }, /\{UnixTimestamp\} is not allowed/);
      await bad({ SequenceFormat: 'a/{JobId}.jpg' }, /\{UnixTimestamp\} or \{Sequence\}/);
      await bad({ SequenceFormat: 'a/../{Sequence}.jpg' }, /SequenceFormat/);
      await bad({ SequenceFormat: `${'a'.repeat(250)}/{Sequence}.jpg` }, /255/);
      await bad({ SequenceFormat: 'a/{Sequence.jpg' }, /unbalanced/);
    });
  });

  describe('jobs', () => {
    let templateId: string;
    before(async () => {
      templateId = await template({ TemplateName: 'jobs' });
    });

    it('submits and describes a job waiting for its source', async () => {
      const { JobId } = await submit(templateId, {
        CallbackUrl: 'http://127.0.0.1:9/callback',
        StreamInput: JSON.stringify({ Type: 'rtmp', Url: offline }),
      });
      assert.match(JobId, /^[0-9a-f-]{36}$/);
      const job = await waitFor('the first attempt', async () => {
        const j = await call('GetLiveSnapshotJob', { JobId });
        return j.LastError ? j : undefined;
      });
      assert.equal(job.Status, 'init', 'not started until the source is live');
      assert.ok(['waiting', 'connecting'].includes(job.PullStatus));
      assert.match(job.LastError, /Connection refused/);
      assert.equal(job.TemplateId, templateId);
      assert.equal(job.TemplateName, 'jobs');
      assert.equal(job.TimeInterval, 5);
      assert.equal(job.OverwriteFormat, 'snapshot/{JobId}.jpg');
      assert.deepEqual({ ...job.StreamInput }, { Type: 'rtmp', Url: offline });
      assert.deepEqual(
        { ...job.SnapshotOutput },
        { StorageType: 'oss', Endpoint: 'local', Bucket: 'snaps' },
      );
      assert.equal(job.CallbackUrl, 'http://127.0.0.1:9/callback');
      assert.match(job.CreateTime, RPC_TIME);
      await call('SendLiveSnapshotJobCommand', { JobId, Command: 'stop' }, true);
    });

    it('validates submissions', async () => {
      const bad = (extra: Record<string, unknown>, code: string, pattern?: RegExp) =>
        rejects(submit(templateId, extra), code, pattern);
      await bad({ JobName: undefined }, 'MissingParameter', /JobName/);
      await bad({ TemplateId: 'no-such-template' }, 'TemplateNotFound');
      await bad({ StreamInput: undefined }, 'MissingParameter', /StreamInput/);
      await bad({ StreamInput: '{"Type":"rtmp"' }, 'InvalidParameter', /StreamInput/);
      await bad(
        { StreamInput: JSON.stringify({ Type: 'rtmp' }) },
        'MissingParameter',
        /StreamInput\.Url/,
      );
      await bad(
        { StreamInput: JSON.stringify({ Type: 'webrtc', Url: offline }) },
        'InvalidParameter',
        /StreamInput\.Type/,
      );
      await bad(
        { StreamInput: JSON.stringify({ Type: 'rtmp', Url: 'rtsp://cam/x' }) },
        'InvalidParameter',
        /rtmp input needs/,
      );
      await bad(
        { StreamInput: JSON.stringify({ Type: 'rtmp', Url: 'file:///etc/passwd' }) },
        'InvalidParameter',
        /scheme/,
      );
      await bad(
        { StreamInput: JSON.stringify({ Type: 'rtmp', Url: `rtmp://h/${'a'.repeat(260)}` }) },
        'InvalidParameter',
        /StreamInput\.Url/,
      );
      await bad(
        {
          StreamInput: JSON.stringify({
            Type: 'rtmp',
            Url: `rtmp://127.0.0.1/${LIVE_JOBS_APP}/x?vhost=${LIVE_JOBS_DOMAIN}`,
          }),
        },
        'InvalidParameter',
        /live snapshot jobs themselves/,
      );
      const output = (o: Record<string, unknown>) => ({ SnapshotOutput: JSON.stringify(o) });
      await bad(
        output({ StorageType: 'oss', Endpoint: 'local' }),
        'MissingParameter',
        /SnapshotOutput\.Bucket/,
      );
      await bad(
        output({ StorageType: 's3', Endpoint: 'local', Bucket: 'snaps' }),
        'InvalidParameter',
        /StorageType/,
      );
      await bad(
        output({ StorageType: 'oss', Endpoint: 'local', Bucket: 'Bad_Bucket' }),
        'InvalidParameter',
        /Bucket/,
      );
      await bad(
        output({ StorageType: 'oss', Endpoint: 'minio', Bucket: 'snaps' }),
        'InvalidParameter',
        /no storage named "minio"/,
      );
      await bad({ CallbackUrl: 'ftp://x/y' }, 'InvalidParameter', /CallbackUrl/);
      await rejects(call('GetLiveSnapshotJob', { JobId: 'nope' }), 'JobNotFound');
    });

    it('an OSS endpoint means the default storage; the job reports it as given', async () => {
      const { JobId } = await submit(templateId, {
        SnapshotOutput: JSON.stringify({
          StorageType: 'oss',
          Endpoint: 'oss-cn-shanghai.aliyuncs.com',
          Bucket: 'snaps',
        }),
      });
      const job = await call('GetLiveSnapshotJob', { JobId });
      assert.equal(job.SnapshotOutput.Endpoint, 'oss-cn-shanghai.aliyuncs.com');
      assert.equal((await h.app.catalog.getLiveJob(JobId))?.storageEndpoint, 'local');
      await call('SendLiveSnapshotJobCommand', { JobId, Command: 'stop' }, true);
    });

    it('enforces the limit of concurrent jobs; commands stop, start and restart', async () => {
      const ids: string[] = [];
      for (let i = 0; i < MAX_ACTIVE; i++) ids.push((await submit(templateId)).JobId);
      await rejects(submit(templateId), 'JobLimitExceeded', /at most 3/);

      await call('SendLiveSnapshotJobCommand', { JobId: ids[0], Command: 'stop' }, true);
      const stopped = await call('GetLiveSnapshotJob', { JobId: ids[0] });
      assert.equal(stopped.Status, 'paused');
      assert.equal(stopped.PullStatus, 'stopped');
      await call('SendLiveSnapshotJobCommand', { JobId: ids[0], Command: 'stop' }, true); // idempotent

      const fourth = (await submit(templateId)).JobId; // a slot was freed
      await rejects(
        call('SendLiveSnapshotJobCommand', { JobId: ids[0], Command: 'start' }, true),
        'JobLimitExceeded',
      );
      await rejects(
        call('SendLiveSnapshotJobCommand', { JobId: ids[0], Command: 'restart' }, true),
        'JobLimitExceeded',
      );
      await call('SendLiveSnapshotJobCommand', { JobId: fourth, Command: 'stop' }, true);
      await call('SendLiveSnapshotJobCommand', { JobId: ids[0], Command: 'start' }, true);
      assert.equal((await call('GetLiveSnapshotJob', { JobId: ids[0] })).Status, 'init');
      // Waiting for its source: start retries at once rather than failing.
      await call('SendLiveSnapshotJobCommand', { JobId: ids[1], Command: 'start' }, true);
      await call('SendLiveSnapshotJobCommand', { JobId: ids[2], Command: 'restart' }, true);

      await rejects(
        call('SendLiveSnapshotJobCommand', { JobId: ids[1], Command: 'pause' }, true),
        'InvalidParameter',
        /Command/,
      );
      await rejects(
        call('SendLiveSnapshotJobCommand', { JobId: 'nope', Command: 'stop' }, true),
        'JobNotFound',
      );
      for (const id of ids)
        await call('SendLiveSnapshotJobCommand', { JobId: id, Command: 'stop' }, true);
    });

    it('lists jobs by creation window, status and keyword', async () => {
      const { JobId } = await submit(templateId, { JobName: 'listed-job' });
      await call('SendLiveSnapshotJobCommand', { JobId, Command: 'stop' }, true);
      const all = await call('ListLiveSnapshotJobs', { SearchKeyWord: 'listed-job' });
      assert.equal(all.TotalCount, 1);
      const item = all.JobList[0];
      assert.equal(item.JobId, JobId);
      assert.equal(item.Status, 'paused');
      assert.deepEqual(
        { ...item.SnapshotOutput },
        { StorageType: 'oss', Endpoint: 'local', Bucket: 'snaps' },
      );
      assert.deepEqual([all.PageNo, all.PageSize, all.SortBy], [1, 10, 'desc']);

      const paused = await call('ListLiveSnapshotJobs', { Status: 'paused', PageSize: 100 });
      assert.ok(paused.JobList.every((j: Json) => j.Status === 'paused'));
      const byId = await call('ListLiveSnapshotJobs', { SearchKeyWord: JobId });
      assert.equal(byId.TotalCount, 1);
      const old = await call('ListLiveSnapshotJobs', {
        StartTime: rpcTime(Date.now() - 20 * 86_400_000),
        EndTime: rpcTime(Date.now() - 10 * 86_400_000),
      });
      assert.equal(old.TotalCount, 0);
      await rejects(call('ListLiveSnapshotJobs', { StartTime: 'yesterday' }), 'MalformedStartTime');
      await rejects(
        call('ListLiveSnapshotJobs', { EndTime: '2026-02-30T00:00:00Z' }),
        'MalformedEndTime',
      );
      await rejects(
        call('ListLiveSnapshotJobs', {
          StartTime: rpcTime(Date.now() - 40 * 86_400_000),
          EndTime: rpcTime(Date.now()),
        }),
        'EndTimeMismatch',
      );
      await rejects(call('ListLiveSnapshotJobs', { Status: 'running' }), 'InvalidParameter');
    });
  });

  describe('files', () => {
    let jobId: string;
    const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
    const stream = () => ({
      domainName: LIVE_JOBS_DOMAIN,
      appName: LIVE_JOBS_APP,
      streamName: jobId,
    });

    before(async () => {
      const templateId = await template({ TemplateName: 'files' });
      jobId = (await submit(templateId)).JobId;
      await call('SendLiveSnapshotJobCommand', { JobId: jobId, Command: 'stop' }, true);
      // 12 captures 5 s apart: a sequence file each, and the overwrite file of the last one.
      for (let i = 0; i < 12; i++) {
        const ts = T0 + i * 5000 + 123;
        const record = {
          ...stream(),
          ossEndpoint: 'local',
          ossBucket: 'snaps',
          ossObject: `snapshot/${jobId}/${ts}.jpg`,
          createTimestamp: ts,
          isOverlay: false,
          width: 320,
          height: 240,
          size: 1000 + i,
        };
        await h.app.catalog.insertSnapshotRecord(record);
        await h.app.storage.local.put('snaps', record.ossObject, Buffer.from('jpeg'), {});
        if (i === 11) {
          await h.app.catalog.insertSnapshotRecord({
            ...record,
            isOverlay: true,
            ossObject: `snapshot/${jobId}.jpg`,
          });
        }
      }
    });

    it('lists files by time range with paging, both orders', async () => {
      const window = { JobId: jobId, StartTime: rpcTime(T0), EndTime: rpcTime(T0 + 3600_000) };
      const seen: number[] = [];
      let start = window.StartTime;
      for (let pages = 0; pages < 10; pages++) {
        const page = await call('ListLiveSnapshotFiles', { ...window, StartTime: start, Limit: 5 });
        seen.push(...page.FileList.map((f: Json) => f.CreateTimestamp));
        if (!page.NextStartTime) break;
        start = page.NextStartTime;
      }
      assert.equal(seen.length, 13, 'twelve sequence files and the overwrite file, once each');
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        seen,
      );
      const first = (await call('ListLiveSnapshotFiles', { ...window, Limit: 1 })).FileList[0];
      assert.deepEqual(Object.keys(first).sort(), [
        'CreateTime',
        'CreateTimestamp',
        'Height',
        'IsOverlay',
        'OssBucket',
        'OssEndpoint',
        'OssObject',
        'Size',
        'Url',
        'Width',
      ]);
      assert.equal(first.CreateTimestamp, T0 + 123);
      assert.equal(first.IsOverlay, false);

      const desc = await call('ListLiveSnapshotFiles', { ...window, SortBy: 'desc', Limit: 3 });
      assert.equal(desc.FileList[0].CreateTimestamp, T0 + 55_123);
      assert.ok(desc.NextStartTime, 'more files: a cursor');
      const narrow = await call('ListLiveSnapshotFiles', {
        ...window,
        StartTime: rpcTime(T0 + 10_000),
        EndTime: rpcTime(T0 + 20_000),
      });
      assert.deepEqual(
        narrow.FileList.map((f: Json) => f.CreateTimestamp),
        [T0 + 10_123, T0 + 15_123],
      );
      assert.equal(narrow.NextStartTime, undefined);

      await rejects(
        call('ListLiveSnapshotFiles', { ...window, EndTime: rpcTime(T0 + 2 * 86_400_000) }),
        'EndTimeMismatch',
      );
      await rejects(
        call('ListLiveSnapshotFiles', { ...window, StartTime: 'x' }),
        'MalformedStartTime',
      );
      await rejects(call('ListLiveSnapshotFiles', { ...window, Limit: 101 }), 'InvalidParameter');
      await rejects(call('ListLiveSnapshotFiles', { ...window, JobId: 'nope' }), 'JobNotFound');
    });

    it('deletes sequence files (and objects); overwrite files are refused', async () => {
      const ts = (i: number) => T0 + i * 5000 + 123;
      const res = await call(
        'DeleteLiveSnapshotFiles',
        {
          JobId: jobId,
          CreateTimestampList: JSON.stringify([ts(0), ts(1), 42]),
          DeleteOriginalFile: true,
        },
        true,
      );
      assert.deepEqual(
        res.DeleteFileResultList.map((r: Json) => ({ ...r })),
        [
          { CreateTimestamp: ts(0), Result: 'OK' },
          { CreateTimestamp: ts(1), Result: 'OK' },
          { CreateTimestamp: 42, Result: 'NotFound' },
        ],
      );
      const objectOf = (i: number) => `snapshot/${jobId}/${ts(i)}.jpg`;
      assert.equal(await h.app.storage.local.head('snaps', objectOf(0)), undefined);
      // Record only: the object stays.
      await call('DeleteLiveSnapshotFiles', { JobId: jobId, CreateTimestampList: [ts(2)] }, true);
      assert.ok(await h.app.storage.local.head('snaps', objectOf(2)));
      const left = await h.app.catalog.findSnapshotRecords(stream(), [ts(0), ts(1), ts(2), ts(3)]);
      assert.deepEqual(
        left.map((r) => r.createTimestamp),
        [ts(3)],
      );
      // ts(11) has both: its sequence file goes, the overwrite file stays.
      await call('DeleteLiveSnapshotFiles', { JobId: jobId, CreateTimestampList: [ts(11)] }, true);
      const overlay = await h.app.catalog.findSnapshotRecords(stream(), [ts(11)]);
      assert.deepEqual(
        overlay.map((r) => r.isOverlay),
        [true],
      );
      await rejects(
        call('DeleteLiveSnapshotFiles', { JobId: jobId, CreateTimestampList: [ts(11)] }, true),
        'OverlayNotSupported',
      );
      await rejects(
        call('DeleteLiveSnapshotFiles', { JobId: jobId, CreateTimestampList: [1, 2] }, true),
        'NoValidSnapshot',
      );
      await rejects(
        call('DeleteLiveSnapshotFiles', { JobId: 'nope', CreateTimestampList: [1] }, true),
        'JobNotFound',
      );
      await rejects(
        call(
          'DeleteLiveSnapshotFiles',
          {
            JobId: jobId,
            CreateTimestampList: JSON.stringify(Array.from({ length: 201 }, (_, i) => i)),
          },
          true,
        ),
        'InvalidParameter',
      );
    });
  });

  it('jobs survive a restart: active ones resume, paused ones stay paused', async () => {
    const dataDir = h.dataDir;
    const templateId = await template({ TemplateName: 'restart' });
    const active = (await submit(templateId, { JobName: 'resume-me' })).JobId;
    const paused = (await submit(templateId, { JobName: 'stay-paused' })).JobId;
    await call('SendLiveSnapshotJobCommand', { JobId: paused, Command: 'stop' }, true);
    // Others from earlier tests are stopped; restart on the same data directory.
    await h.app.close();
    const again = await startApp(
      { 'liveJobs.maxActive': MAX_ACTIVE, 'liveJobs.backoffBaseMs': 100 },
      { dataDir },
    );
    try {
      const client = new RPCClient({
        endpoint: again.httpUrl,
        apiVersion: '2020-11-09',
        ...TEST_KEY,
      });
      const job = await waitFor('the resumed job to try its source', async () => {
        const j: Json = await client.request('GetLiveSnapshotJob', { JobId: active });
        return j.PullStatus === 'waiting' ? j : undefined;
      });
      assert.equal(job.Status, 'init');
      const still: Json = await client.request('GetLiveSnapshotJob', { JobId: paused });
      assert.equal(still.Status, 'paused');
      assert.equal(still.PullStatus, 'stopped');
    } finally {
      await again.close();
    }
  });
});
