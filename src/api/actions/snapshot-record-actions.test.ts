import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SnapshotRecord } from '../../catalog/catalog-types.js';
import { SqliteCatalog } from '../../catalog/sqlite-catalog.js';
import { silentLogger } from '../../log.js';
import { LocalObjectStore } from '../../storage/local-object-store.js';
import { ActionRegistry, ApiVersion, type ActionContext } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import { ParamReader } from '../param-reader.js';
import {
  cutPage,
  formatQueryTime,
  parseQueryTime,
  registerSnapshotRecordActions,
  type RecordCatalog,
} from './snapshot-record-actions.js';

describe('query times', () => {
  it('parses the spec form and the millisecond form strictly', () => {
    assert.equal(parseQueryTime('2026-11-21T08:00:00Z'), Date.UTC(2026, 10, 21, 8));
    assert.equal(parseQueryTime('2026-11-21T08:00:00.123Z'), Date.UTC(2026, 10, 21, 8) + 123);
    for (const bad of [
      '2026-11-21T08:00:00.12Z',
      '2026-11-21T08:00:00.1234Z',
      '2026-02-30T00:00:00Z',
      '2026-11-21 08:00:00Z',
      '2026-11-21T08:00:00+08:00',
      '2026-11-21T08:00:00',
      '',
    ]) {
      assert.equal(parseQueryTime(bad), undefined, bad);
    }
  });

  it('formats whole seconds without milliseconds', () => {
    const t = Date.UTC(2026, 10, 21, 8);
    assert.equal(formatQueryTime(t), '2026-11-21T08:00:00Z');
    assert.equal(formatQueryTime(t + 7), '2026-11-21T08:00:00.007Z');
    assert.equal(parseQueryTime(formatQueryTime(t + 7)), t + 7);
  });
});

describe('cutPage', () => {
  const s = (sec: number, ms = 0) => sec * 1000 + ms;

  it('asc: ends at the next row second when rows of other seconds are on the page', () => {
    assert.deepEqual(cutPage([s(1), s(1, 500), s(2, 10)], s(2, 20), 'asc'), {
      count: 2,
      cursor: s(2),
    });
    assert.deepEqual(cutPage([s(1), s(2)], s(3, 5), 'asc'), { count: 2, cursor: s(3) });
  });

  it('asc: falls back to milliseconds, then to nothing for one tie group', () => {
    assert.deepEqual(cutPage([s(2, 1), s(2, 5), s(2, 5)], s(2, 9), 'asc'), {
      count: 3,
      cursor: s(2, 9),
    });
    assert.deepEqual(cutPage([s(2, 1), s(2, 9)], s(2, 9), 'asc'), { count: 1, cursor: s(2, 9) });
    assert.equal(cutPage([s(2, 9), s(2, 9)], s(2, 9), 'asc'), undefined);
  });

  it('desc: the cursor is an exclusive end', () => {
    assert.deepEqual(cutPage([s(5), s(4, 900), s(3, 20)], s(3, 10), 'desc'), {
      count: 2,
      cursor: s(4),
    });
    assert.deepEqual(cutPage([s(3, 900), s(3, 20)], s(3, 10), 'desc'), {
      count: 2,
      cursor: s(3, 11),
    });
    assert.equal(cutPage([s(3, 10)], s(3, 10), 'desc'), undefined);
  });
});

describe('record actions, called directly', () => {
  let dir: string;
  let catalog: SqliteCatalog;
  let store: LocalObjectStore;
  const now = Date.now();
  const stream = { domainName: 'unit.example.com', appName: 'live', streamName: 'cam' };

  function ctx(): ActionContext {
    return {
      requestId: 'R',
      accessKeyId: 'AK',
      action: 'x',
      version: ApiVersion.Live,
      method: 'GET',
      log: silentLogger(),
      now: () => now,
    };
  }

  function record(ts: number, object: string, isOverlay = false): SnapshotRecord {
    return {
      ...stream,
      ossEndpoint: 'local',
      ossBucket: 'unit',
      ossObject: object,
      createTimestamp: ts,
      isOverlay,
      width: 2,
      height: 2,
      size: 1,
    };
  }

  async function call(
    registry: ActionRegistry,
    action: string,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const def = registry.lookup(ApiVersion.Live, action);
    assert.ok(def, action);
    const map = new Map(
      Object.entries({
        DomainName: stream.domainName,
        AppName: stream.appName,
        StreamName: stream.streamName,
        ...params,
      }),
    );
    return def.handler(new ParamReader(map), ctx());
  }

  function registryWith(cat: RecordCatalog, storage = { get: () => store }) {
    const registry = new ActionRegistry();
    registerSnapshotRecordActions(registry, { catalog: cat, storage });
    return registry;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'livesnap-record-unit-'));
    catalog = new SqliteCatalog({ path: ':memory:' });
    await catalog.start();
    store = new LocalObjectStore({ dataDir: dir, fsync: false });
  });
  after(async () => {
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('declares the spec QPS limits', () => {
    const registry = registryWith(catalog);
    assert.equal(registry.lookup(ApiVersion.Live, 'DescribeLiveStreamSnapshotInfo')?.qps, 100);
    assert.equal(registry.lookup(ApiVersion.Live, 'DeleteSnapshotFiles')?.qps, 30);
    assert.equal(
      registry.lookup(ApiVersion.Live, 'DescribeLiveDomainSnapshotData')?.qps,
      undefined,
    );
  });

  it('keeps an overwrite object that a newer capture re-recorded meanwhile', async () => {
    const ts = now - 60_000;
    await store.put('unit', 'live/cam.jpg', Buffer.from('old'));
    await catalog.insertSnapshotRecord(record(ts, 'live/cam.jpg', true));
    // A capture lands between the row delete and the object delete.
    const racing = Object.create(catalog) as RecordCatalog;
    racing.deleteSnapshotRecords = async (s, list) => {
      const result = await catalog.deleteSnapshotRecords(s, list);
      await store.put('unit', 'live/cam.jpg', Buffer.from('new'));
      await catalog.insertSnapshotRecord(record(ts + 5000, 'live/cam.jpg', true));
      return result;
    };
    const res = await call(registryWith(racing), 'DeleteSnapshotFiles', {
      'CreateTimestampList.1': String(ts),
      RemoveFile: 'true',
    });
    assert.equal(res.SuccessCount, 1);
    assert.equal((await store.get('unit', 'live/cam.jpg')).body.toString(), 'new');
    await catalog.deleteSnapshotRecords(stream, [ts + 5000]);
  });

  it('deletes the row even when its object cannot be deleted', async () => {
    const ts = now - 50_000;
    await catalog.insertSnapshotRecord({ ...record(ts, 'gone.jpg'), ossEndpoint: 'removed' });
    const registry = registryWith(catalog, {
      get: () => {
        throw new Error('unknown storage endpoint');
      },
    });
    const res = await call(registry, 'DeleteSnapshotFiles', {
      CreateTimestampList: `[${ts}]`,
      RemoveFile: 'true',
    });
    assert.equal(res.SuccessCount, 1);
    assert.deepEqual(await catalog.findSnapshotRecords(stream, [ts]), []);
  });

  it('treats rows older than a year as not found (not queryable, not deletable)', async () => {
    const old = now - 366 * 86_400_000;
    await catalog.insertSnapshotRecord(record(old, 'old.jpg'));
    const list = await call(registryWith(catalog), 'DescribeLiveStreamSnapshotInfo', {
      StartTime: formatQueryTime(old - 1000),
      EndTime: formatQueryTime(old + 1000),
    });
    assert.deepEqual(list, { LiveStreamSnapshotInfoList: { LiveStreamSnapshotInfo: [] } });
    const del = await call(registryWith(catalog), 'DeleteSnapshotFiles', {
      'CreateTimestampList.1': String(old),
      RemoveFile: 'false',
    });
    assert.equal(del.FailureCount, 1);
    assert.equal((await catalog.findSnapshotRecords(stream, [old])).length, 1);
  });

  it('adds a signed Url to each item when signUrl is given', async () => {
    const ts = now - 40_000;
    await catalog.insertSnapshotRecord(record(ts, 'signed.jpg'));
    const registry = new ActionRegistry();
    registerSnapshotRecordActions(registry, {
      catalog,
      storage: { get: () => store },
      signUrl: async (o, ak) => `https://h/storage/${o.bucket}/${o.object}?AccessKeyId=${ak}`,
    });
    const res = (await call(registry, 'DescribeLiveStreamSnapshotInfo', {
      StartTime: formatQueryTime(ts - (ts % 1000)),
      EndTime: formatQueryTime(ts - (ts % 1000) + 1000),
    })) as { LiveStreamSnapshotInfoList: { LiveStreamSnapshotInfo: Array<{ Url?: string }> } };
    assert.deepEqual(
      res.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo.map((i) => i.Url),
      ['https://h/storage/unit/signed.jpg?AccessKeyId=AK'],
    );
  });

  it('refuses a window starting more than 90 days back for daily data', async () => {
    const start = now - 92 * 86_400_000;
    await assert.rejects(
      call(registryWith(catalog), 'DescribeLiveDomainSnapshotData', {
        StartTime: formatQueryTime(start - (start % 1000)),
        EndTime: formatQueryTime(start - (start % 1000) + 86_400_000),
      }),
      (err: ApiError) => err.code === 'InvalidStartTime.ValueNotSupported',
    );
  });
});
