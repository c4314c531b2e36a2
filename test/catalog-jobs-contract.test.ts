import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import type {
  CallbackEntryInput,
  Catalog,
  SnapshotJobRecord,
  SnapshotTemplateRecord,
} from '../src/catalog/catalog-types.js';
import { SqliteCatalog } from '../src/catalog/sqlite-catalog.js';

/**
 * The snapshot-job part of the Catalog contract (SnapshotJobCatalog): every implementation
 * runs this suite. Jobs: insert/get/list with cursor paging, the queue (claim in order per
 * pipeline, cancel flags, requeue, recovery after a restart), completion with its callbacks
 * in one transaction; templates with defaults; registered media.
 */

export interface JobsCatalogFixture {
  catalog: Catalog;
  reopen?: () => Promise<Catalog>;
}

const T0 = Date.UTC(2026, 0, 10, 8, 0, 0);

function job(id: string, extra: Partial<SnapshotJobRecord> = {}): SnapshotJobRecord {
  return {
    jobId: id,
    type: 'Normal',
    state: 'queued',
    templateId: 'S00000002-000001',
    templateConfig: '{"Type":"Normal","Count":1}',
    pipelineId: 'default',
    triggerSource: 'API',
    input: { type: 'OSS', media: 'oss://media/in.mp4' },
    output: { type: 'OSS', media: 'oss://out/o-{Count}.jpg' },
    outputEndpoint: 'local',
    outputBucket: 'out',
    outputObject: 'o-{Count}.jpg',
    images: [],
    count: 0,
    attempts: 0,
    cancelRequested: false,
    createdAt: T0,
    modifiedAt: T0,
    ...extra,
  };
}

function callback(n: number): CallbackEntryInput {
  return {
    eventId: `job-ev-${n}`,
    event: 'SnapshotComplete',
    domainName: '',
    url: 'http://receiver.example/jobs',
    origin: 'receiver.example',
    body: `{"n":${n}}`,
    createdAt: T0,
  };
}

function template(id: string, subtype: number, at: number, name = id): SnapshotTemplateRecord {
  return {
    templateId: id,
    name,
    subtype,
    config: '{"Type":"Sprite"}',
    createdAt: at,
    modifiedAt: at,
  };
}

export function runJobsCatalogContract(
  name: string,
  factory: () => Promise<JobsCatalogFixture>,
): void {
  describe(`Snapshot job catalog contract: ${name}`, () => {
    let fx: JobsCatalogFixture;
    let c: Catalog;
    beforeEach(async () => {
      fx = await factory();
      c = fx.catalog;
      await c.start();
    });
    afterEach(async () => {
      await c.close();
    });

    it('stores and returns jobs with every field', async () => {
      const full = job('j1', {
        name: 'SampleJob',
        userData: '{"k":"v"}',
        notifyUrl: 'http://cb.example/x',
        images: ['a.jpg'],
        vtt: 'v.vtt',
      });
      await c.insertSnapshotJob(full);
      assert.deepEqual(await c.getSnapshotJob('j1'), full);
      assert.equal(await c.getSnapshotJob('nope'), undefined);
      await assert.rejects(c.insertSnapshotJob(job('j1')));
    });

    it('lists by filters, in both orders, with a cursor', async () => {
      for (let i = 0; i < 5; i++)
        await c.insertSnapshotJob(job(`j${i}`, { createdAt: T0 + i * 1000 }));
      await c.finishSnapshotJob('j3', { state: 'success', images: [], count: 1 }, T0 + 10_000);
      const asc = await c.listSnapshotJobs({ order: 'asc', limit: 2 });
      assert.deepEqual(
        asc.items.map((j) => j.jobId),
        ['j0', 'j1'],
      );
      const next = await c.listSnapshotJobs({ order: 'asc', limit: 2, after: asc.next! });
      assert.deepEqual(
        next.items.map((j) => j.jobId),
        ['j2', 'j3'],
      );
      const last = await c.listSnapshotJobs({ order: 'asc', limit: 2, after: next.next! });
      assert.deepEqual(
        last.items.map((j) => j.jobId),
        ['j4'],
      );
      assert.equal(last.next, undefined);
      const desc = await c.listSnapshotJobs({ order: 'desc', limit: 10 });
      assert.deepEqual(
        desc.items.map((j) => j.jobId),
        ['j4', 'j3', 'j2', 'j1', 'j0'],
      );
      const done = await c.listSnapshotJobs({ order: 'asc', limit: 10, states: ['success'] });
      assert.deepEqual(
        done.items.map((j) => j.jobId),
        ['j3'],
      );
      const window = await c.listSnapshotJobs({
        order: 'asc',
        limit: 10,
        createdFrom: T0 + 1000,
        createdTo: T0 + 2000,
      });
      assert.deepEqual(
        window.items.map((j) => j.jobId),
        ['j1', 'j2'],
      );
      const one = await c.listSnapshotJobs({ order: 'desc', limit: 10, jobId: 'j2' });
      assert.deepEqual(
        one.items.map((j) => j.jobId),
        ['j2'],
      );
    });

    it('claims queued jobs oldest first, per pipeline, skipping cancelled ones', async () => {
      await c.insertSnapshotJob(job('a', { createdAt: T0 + 2 }));
      await c.insertSnapshotJob(job('b', { createdAt: T0 + 1 }));
      await c.insertSnapshotJob(job('p', { createdAt: T0, pipelineId: 'fast' }));
      await c.insertSnapshotJob(job('x', { createdAt: T0 }));
      await c.requestSnapshotJobCancel('x', T0 + 5);
      const first = await c.claimSnapshotJob('default', T0 + 10);
      assert.equal(first?.jobId, 'b');
      assert.equal(first?.state, 'running');
      assert.equal(first?.attempts, 1);
      assert.equal(first?.startedAt, T0 + 10);
      assert.equal((await c.claimSnapshotJob('default', T0 + 11))?.jobId, 'a');
      assert.equal(await c.claimSnapshotJob('default', T0 + 12), undefined);
      assert.equal((await c.claimSnapshotJob('fast', T0 + 12))?.jobId, 'p');
      assert.equal((await c.getSnapshotJob('x'))?.cancelRequested, true);
    });

    it('records progress, finishes once, with callbacks in the same transaction', async () => {
      await c.insertSnapshotJob(job('j'));
      await c.claimSnapshotJob('default', T0 + 1);
      await c.recordSnapshotJobImages('j', ['o-00001.jpg'], T0 + 2);
      assert.deepEqual((await c.getSnapshotJob('j'))?.images, ['o-00001.jpg']);
      const done = await c.finishSnapshotJob(
        'j',
        { state: 'success', images: ['o-00001.jpg', 'o-00002.jpg'], count: 2 },
        T0 + 3,
        [callback(1)],
      );
      assert.equal(done?.state, 'success');
      assert.equal(done?.count, 2);
      assert.equal(done?.finishedAt, T0 + 3);
      assert.deepEqual(done?.images, ['o-00001.jpg', 'o-00002.jpg']);
      assert.equal((await c.getCallback('job-ev-1'))?.event, 'SnapshotComplete');
      // Already finished: nothing changes, no callback is written.
      assert.equal(
        await c.finishSnapshotJob('j', { state: 'fail', code: 'X', message: 'y' }, T0 + 4, [
          callback(2),
        ]),
        undefined,
      );
      assert.equal(await c.getCallback('job-ev-2'), undefined);
      assert.equal((await c.getSnapshotJob('j'))?.state, 'success');
      await c.recordSnapshotJobImages('j', [], T0 + 5);
      assert.equal(
        (await c.getSnapshotJob('j'))?.images.length,
        2,
        'a finished job keeps its images',
      );
    });

    it('fails a job with its code and message, and can fail a queued one', async () => {
      await c.insertSnapshotJob(job('q'));
      const failed = await c.finishSnapshotJob(
        'q',
        { state: 'fail', code: 'JobCancelled', message: 'the job was cancelled' },
        T0 + 1,
      );
      assert.equal(failed?.state, 'fail');
      assert.equal(failed?.code, 'JobCancelled');
      assert.equal(failed?.message, 'the job was cancelled');
      assert.equal(
        await c.requestSnapshotJobCancel('q', T0 + 2).then((j) => j?.cancelRequested),
        false,
      );
    });

    it('requeues on shutdown and recovers after a restart', async () => {
      await c.insertSnapshotJob(job('r1'));
      await c.insertSnapshotJob(job('r2', { createdAt: T0 + 1 }));
      await c.claimSnapshotJob('default', T0 + 1);
      assert.equal(await c.requeueSnapshotJob('r1', T0 + 2), true);
      const again = await c.getSnapshotJob('r1');
      assert.equal(again?.state, 'queued');
      assert.equal(again?.attempts, 0, 'an interrupted run is not counted');
      assert.equal(await c.requeueSnapshotJob('r1', T0 + 3), false);
      // Two "crashed" runs: r1 has 1 attempt, r2 has 3.
      await c.claimSnapshotJob('default', T0 + 4);
      await c.claimSnapshotJob('default', T0 + 4);
      const r2 = await c.getSnapshotJob('r2');
      assert.equal(r2?.attempts, 1);
      for (let i = 0; i < 2; i++) {
        await c.recoverSnapshotJobs(T0 + 5, 99);
        await c.claimSnapshotJob('default', T0 + 6); // r1 first (older)
        await c.claimSnapshotJob('default', T0 + 6);
      }
      assert.equal((await c.getSnapshotJob('r2'))?.attempts, 3);
      assert.equal(await c.recoverSnapshotJobs(T0 + 7, 3), 0, 'both have used 3 runs');
      assert.equal(await c.recoverSnapshotJobs(T0 + 7, 4), 2);
      assert.equal((await c.getSnapshotJob('r2'))?.state, 'queued');
    });

    it('moves jobs of unknown pipelines to the fallback', async () => {
      await c.insertSnapshotJob(job('gone', { pipelineId: 'removed' }));
      await c.insertSnapshotJob(job('kept', { pipelineId: 'fast' }));
      await c.insertSnapshotJob(job('done', { pipelineId: 'removed', state: 'success' }));
      assert.equal(await c.reassignSnapshotJobs(['default', 'fast'], 'default', T0 + 1), 1);
      assert.equal((await c.getSnapshotJob('gone'))?.pipelineId, 'default');
      assert.equal((await c.getSnapshotJob('kept'))?.pipelineId, 'fast');
      assert.equal((await c.getSnapshotJob('done'))?.pipelineId, 'removed');
    });

    it('keeps templates, their defaults, and lists them', async () => {
      assert.equal(await c.insertSnapshotTemplate(template('t1', 2, T0, 'Sprite small')), true);
      assert.equal(await c.insertSnapshotTemplate(template('t1', 2, T0)), false);
      await c.insertSnapshotTemplate(template('t2', 2, T0 + 1, 'Sprite 100%_big'));
      await c.insertSnapshotTemplate(template('t3', 1, T0 + 2, 'Normal'));
      assert.deepEqual(await c.getSnapshotTemplate('t1'), template('t1', 2, T0, 'Sprite small'));
      const sprites = await c.listSnapshotTemplates({
        subtype: 2,
        order: 'desc',
        offset: 0,
        limit: 10,
      });
      assert.equal(sprites.total, 2);
      assert.deepEqual(
        sprites.items.map((t) => t.templateId),
        ['t2', 't1'],
      );
      const literal = await c.listSnapshotTemplates({
        name: '100%_',
        order: 'asc',
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(
        literal.items.map((t) => t.templateId),
        ['t2'],
        'name matches literally',
      );
      const page = await c.listSnapshotTemplates({ order: 'asc', offset: 1, limit: 1 });
      assert.deepEqual([page.total, page.items[0]?.templateId], [3, 't2']);
      const updated = await c.updateSnapshotTemplate(
        't1',
        (cur) => ({ name: `${cur.name}!`, config: '{}' }),
        T0 + 9,
      );
      assert.deepEqual(
        [updated?.name, updated?.config, updated?.modifiedAt],
        ['Sprite small!', '{}', T0 + 9],
      );
      assert.equal(await c.updateSnapshotTemplate('nope', (x) => x, T0), undefined);
      assert.equal(await c.getDefaultSnapshotTemplate(2), undefined);
      await c.setDefaultSnapshotTemplate(2, 't1');
      await c.setDefaultSnapshotTemplate(2, 't2');
      assert.equal(await c.getDefaultSnapshotTemplate(2), 't2');
      assert.equal(await c.deleteSnapshotTemplate('t2'), true);
      assert.equal(await c.getDefaultSnapshotTemplate(2), undefined, 'deleting clears the default');
      assert.equal(await c.deleteSnapshotTemplate('t2'), false);
    });

    it('registers media', async () => {
      const m = {
        mediaId: 'm1',
        inputUrl: 'oss://media/a.mp4',
        title: 'A',
        createdAt: T0,
        modifiedAt: T0,
      };
      await c.insertMediaAsset(m);
      assert.deepEqual(await c.getMediaAsset('m1'), m);
      assert.equal(await c.getMediaAsset('m2'), undefined);
    });

    it('keeps everything across a reopen', async () => {
      if (!fx.reopen) return;
      await c.insertSnapshotJob(job('durable'));
      await c.claimSnapshotJob('default', T0 + 1);
      await c.close();
      c = await fx.reopen();
      await c.start();
      const j = await c.getSnapshotJob('durable');
      assert.equal(j?.state, 'running');
      assert.equal(await c.recoverSnapshotJobs(T0 + 2, 3), 1);
    });
  });
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

runJobsCatalogContract('sqlite (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'livesnap-jobs-catalog-'));
  dirs.push(dir);
  const path = join(dir, 'livesnap.db');
  return { catalog: new SqliteCatalog({ path }), reopen: async () => new SqliteCatalog({ path }) };
});

runJobsCatalogContract('sqlite (:memory:)', async () => ({
  catalog: new SqliteCatalog({ path: ':memory:' }),
}));
