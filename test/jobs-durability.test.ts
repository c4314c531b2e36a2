import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SnapshotJobRecord } from '../src/catalog/catalog-types.js';
import { SqliteCatalog } from '../src/catalog/sqlite-catalog.js';
import { startApp, waitFor, type Harness } from './support/app-harness.js';
import { CallbackReceiver } from './support/callback-receiver.js';
import { generateCodedClip } from './support/job-media.js';

/**
 * Snapshot jobs survive restarts: a shutdown puts a running job back in its queue and the
 * next start finishes it; after a crash, a job left running starts over, and one that has
 * used up its attempts fails cleanly (outputs removed, callback sent). Never stuck.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let dataDir: string;
let receiver: CallbackReceiver;
const overrides = () => ({
  'jobs.notifyUrl': receiver.url('/jobs'),
  'jobs.maxAttempts': 3,
});

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'livesnap-jobs-restart-'));
  receiver = await new CallbackReceiver().start();
  await mkdir(join(dataDir, 'storage', 'media'), { recursive: true });
  const long = await generateCodedClip({
    width: 320,
    height: 180,
    frames: 1500,
    gop: 250,
    fps: 50,
  });
  await copyFile(long, join(dataDir, 'storage', 'media', 'long.mp4'));
});
after(async () => {
  await receiver?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function withApp<T>(fn: (h: Harness) => Promise<T>): Promise<T> {
  const h = await startApp(overrides(), { dataDir });
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

function call(h: Harness, action: string, params: Record<string, unknown>): Promise<Json> {
  return h.ice.request(action, params, { method: 'POST', timeout: 10_000 }) as Promise<Json>;
}

async function finished(h: Harness, jobId: string): Promise<Json> {
  return waitFor(
    `job ${jobId}`,
    async () => {
      const { SnapshotJob } = await call(h, 'GetSnapshotJob', { JobId: jobId });
      return SnapshotJob.Status === 'Init' ? undefined : SnapshotJob;
    },
    60_000,
  );
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('snapshot jobs across restarts', () => {
  it('a shutdown requeues a running job; the next start finishes it', async () => {
    const jobId = await withApp(async (h) => {
      const { JobId } = await call(h, 'SubmitSnapshotJob', {
        Input: JSON.stringify({ Type: 'OSS', Media: 'oss://media/long.mp4' }),
        Output: JSON.stringify({ Type: 'OSS', Media: 'oss://out/restart/r-{Count}.jpg' }),
        TemplateConfig: JSON.stringify({
          TemplateId: 'S00000002-000001',
          OverwriteParams: { Count: 400, Interval: 0.07, FrameType: 'normal' },
        }),
      });
      await waitFor('the job to be under way', async () => {
        const j = await h.app.catalog.getSnapshotJob(JobId);
        return j && j.images.length >= 3 ? j : undefined;
      });
      return JobId as string;
    });
    const catalog = new SqliteCatalog({ path: join(dataDir, 'livesnap.db') });
    await catalog.start();
    const between = await catalog.getSnapshotJob(jobId);
    await catalog.close();
    assert.equal(between?.state, 'queued', 'back in its queue, not left running');
    assert.equal(between?.attempts, 0, 'a shutdown does not count as an attempt');

    await withApp(async (h) => {
      const job = await finished(h, jobId);
      assert.equal(job.Status, 'Success', job.Message);
      assert.equal(job.Count, 400);
      assert.ok(await exists(join(dataDir, 'storage', 'out', 'restart', 'r-00400.jpg')));
    });
  });

  it('after a crash, running jobs start over or fail once out of attempts', async () => {
    const base: SnapshotJobRecord = {
      jobId: 'a'.repeat(32),
      type: 'Normal',
      state: 'running',
      templateId: 'S00000002-000001',
      templateConfig: JSON.stringify({ Type: 'Normal', Count: 2, Interval: 5 }),
      pipelineId: 'default',
      triggerSource: 'API',
      input: { type: 'OSS', media: 'oss://media/long.mp4' },
      output: { type: 'OSS', media: 'oss://out/crash/a-{Count}.jpg' },
      outputEndpoint: 'local',
      outputBucket: 'out',
      outputObject: 'crash/a-{Count}.jpg',
      images: [],
      count: 0,
      attempts: 1,
      cancelRequested: false,
      createdAt: Date.now() - 60_000,
      modifiedAt: Date.now() - 60_000,
    };
    const spent: SnapshotJobRecord = {
      ...base,
      jobId: 'b'.repeat(32),
      output: { type: 'OSS', media: 'oss://out/crash/b-{Count}.jpg' },
      outputObject: 'crash/b-{Count}.jpg',
      images: ['crash/b-00001.jpg'],
      attempts: 3,
      userData: '{"who":"b"}',
    };
    const catalog = new SqliteCatalog({ path: join(dataDir, 'livesnap.db') });
    await catalog.start();
    await catalog.insertSnapshotJob(base);
    await catalog.insertSnapshotJob(spent);
    await catalog.close();
    const partial = join(dataDir, 'storage', 'out', 'crash', 'b-00001.jpg');
    await mkdir(join(dataDir, 'storage', 'out', 'crash'), { recursive: true });
    await writeFile(partial, 'partial');

    await withApp(async (h) => {
      const a = await finished(h, base.jobId);
      assert.equal(a.Status, 'Success', a.Message);
      const b = await finished(h, spent.jobId);
      assert.deepEqual([b.Status, b.Code], ['Fail', 'JobInterrupted']);
      assert.match(b.Message, /interrupted 3 times/);
      assert.equal(await exists(partial), false, 'its partial output is removed');
      await receiver.until('the failure callback', () =>
        receiver.received.some((r) => r.body?.MessageBody?.JobId === spent.jobId),
      );
      const cb = receiver.received.find((r) => r.body?.MessageBody?.JobId === spent.jobId)!;
      assert.deepEqual(
        [cb.body.MessageBody.Status, cb.body.MessageBody.Code, cb.body.MessageBody.UserData],
        ['Fail', 'JobInterrupted', '{"who":"b"}'],
      );
    });
  });
});
