import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import RPCClient from '@alicloud/pop-core';
import {
  registerSnapshotRecordActions,
  formatQueryTime,
} from '../src/api/actions/snapshot-record-actions.js';
import {
  registerStreamStatusActions,
  type StreamStatus,
} from '../src/api/actions/stream-status-actions.js';
import type { SnapshotRecord } from '../src/catalog/catalog-types.js';
import { LocalObjectStore } from '../src/storage/local-object-store.js';
import { startTestApi, type ParamValue, type TestApi } from './support/api-client.js';

/**
 * The snapshot record actions (spec §2.5, §2.6, §2.9) and DescribeLiveStreamsOnlineList
 * against a listening server: rows go straight into the SQLite catalog, objects into a local
 * store in a temporary directory; calls go through pop-core (GET and POST) and raw requests.
 */

// Responses of arbitrary shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const DAY = 86_400_000;
const ITEM_KEYS = [
  'CreateTime',
  'CreateTimestamp',
  'IsOverlay',
  'OssBucket',
  'OssEndpoint',
  'OssObject',
].sort();

const NOW = Date.now();
/** A whole second some hours back: every row of a test lies in one 1-day window. */
const BASE = Math.floor((NOW - 6 * 3600_000) / 1000) * 1000;

let api: TestApi;
let dataDir: string;
let store: LocalObjectStore;
let streams: StreamStatus[] = [];

function rec(
  domainName: string,
  streamName: string,
  ts: number,
  ossObject: string,
  isOverlay = false,
): SnapshotRecord {
  return {
    domainName,
    appName: 'live',
    streamName,
    ossEndpoint: 'local',
    ossBucket: 'snaps',
    ossObject,
    createTimestamp: ts,
    isOverlay,
    width: 640,
    height: 360,
    size: 3,
  };
}

async function insert(r: SnapshotRecord, withObject = false): Promise<void> {
  if (withObject) await store.put(r.ossBucket, r.ossObject, Buffer.from('jpg'));
  await api.catalog.insertSnapshotRecord(r);
}

async function call(action: string, params: Record<string, ParamValue>, method?: 'GET' | 'POST') {
  return api.client.call(action, params, { method });
}

async function expectError(
  action: string,
  params: Record<string, ParamValue>,
  code: string,
  status = 400,
): Promise<Json> {
  const res = await call(action, params);
  assert.equal(res.body?.Code, code, `${action} ${JSON.stringify(params)}: ${res.text}`);
  assert.equal(res.status, status);
  assert.match(res.body.RequestId, REQUEST_ID);
  return res.body;
}

function plain(value: unknown): Json {
  return JSON.parse(JSON.stringify(value));
}

function stream(domain: string, name: string) {
  return { DomainName: domain, AppName: 'live', StreamName: name };
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'livesnap-records-'));
  store = new LocalObjectStore({ dataDir, fsync: false });
  api = await startTestApi({
    qpsOverrides: { '*': 0 },
    register: (registry, catalog) => {
      registerSnapshotRecordActions(registry, {
        catalog,
        storage: {
          get: (endpoint) => {
            if (endpoint !== 'local') throw new Error(`unknown endpoint ${endpoint}`);
            return store;
          },
        },
      });
      registerStreamStatusActions(registry, { streams: () => streams });
    },
  });
});
after(async () => {
  await api.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

for (const method of ['GET', 'POST'] as const) {
  describe(`through pop-core, ${method}`, () => {
    const domain = `pop-${method.toLowerCase()}.example.com`;
    let client: RPCClient;
    // json-bigint gives null-prototype objects: compare plain copies.
    const pop = async (action: string, params: Record<string, unknown>): Promise<Json> =>
      plain(await client.request(action, params, method === 'POST' ? { method: 'POST' } : {}));

    before(async () => {
      client = new RPCClient({
        endpoint: api.baseUrl,
        apiVersion: '2016-11-01',
        accessKeyId: api.creds.accessKeyId,
        accessKeySecret: api.creds.accessKeySecret,
      });
      // As capture does for sequence objects: the stream stays known after its rows go.
      await api.catalog.nextSequence({ domainName: domain, appName: 'live', streamName: 'cam' });
      await insert(rec(domain, 'cam', BASE + 1000, 'live/cam/1.jpg'), true);
      await insert(rec(domain, 'cam', BASE + 6_123, 'live/cam/2.jpg'), true);
      await insert(rec(domain, 'cam', BASE + 6_123, 'live/cam.jpg', true), true);
    });

    it('lists snapshots with the exact field names and pages with NextStartTime', async () => {
      const window = { StartTime: formatQueryTime(BASE), EndTime: formatQueryTime(BASE + DAY) };
      const all = await pop('DescribeLiveStreamSnapshotInfo', {
        ...stream(domain, 'cam'),
        ...window,
      });
      assert.deepEqual(Object.keys(all).sort(), ['LiveStreamSnapshotInfoList', 'RequestId']);
      assert.match(all.RequestId, REQUEST_ID);
      assert.deepEqual(Object.keys(all.LiveStreamSnapshotInfoList), ['LiveStreamSnapshotInfo']);
      const items = all.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo;
      for (const item of items) assert.deepEqual(Object.keys(item).sort(), ITEM_KEYS);
      assert.deepEqual(items, [
        {
          OssEndpoint: 'local',
          OssBucket: 'snaps',
          OssObject: 'live/cam/1.jpg',
          CreateTime: formatQueryTime(BASE + 1000),
          CreateTimestamp: BASE + 1000,
          IsOverlay: false,
        },
        {
          OssEndpoint: 'local',
          OssBucket: 'snaps',
          OssObject: 'live/cam/2.jpg',
          CreateTime: formatQueryTime(BASE + 6000),
          CreateTimestamp: BASE + 6_123,
          IsOverlay: false,
        },
        {
          OssEndpoint: 'local',
          OssBucket: 'snaps',
          OssObject: 'live/cam.jpg',
          CreateTime: formatQueryTime(BASE + 6000),
          CreateTimestamp: BASE + 6_123,
          IsOverlay: true,
        },
      ]);
      assert.match(items[0].CreateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const first = await pop('DescribeLiveStreamSnapshotInfo', {
        ...stream(domain, 'cam'),
        ...window,
        Limit: 1,
      });
      assert.equal(first.NextStartTime, formatQueryTime(BASE + 6000));
      assert.equal(first.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo.length, 1);
      const rest = await pop('DescribeLiveStreamSnapshotInfo', {
        ...stream(domain, 'cam'),
        ...window,
        StartTime: first.NextStartTime,
        Limit: 2,
      });
      assert.equal(rest.NextStartTime, undefined);
      assert.equal(rest.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo.length, 2);

      const desc = await pop('DescribeLiveStreamSnapshotInfo', {
        ...stream(domain, 'cam'),
        ...window,
        Order: 'desc',
      });
      assert.deepEqual(
        desc.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo.map((i: Json) => i.OssObject),
        ['live/cam.jpg', 'live/cam/2.jpg', 'live/cam/1.jpg'],
      );
    });

    it('counts snapshots per day', async () => {
      const day0 = Math.floor(NOW / DAY) * DAY - 3 * DAY;
      const res = await pop('DescribeLiveDomainSnapshotData', {
        DomainName: domain,
        StartTime: formatQueryTime(day0),
        EndTime: formatQueryTime(day0 + 4 * DAY),
      });
      assert.deepEqual(Object.keys(res).sort(), ['RequestId', 'SnapshotDataInfos']);
      const days = res.SnapshotDataInfos.SnapshotDataInfo;
      assert.equal(days.length, 4);
      for (const d of days) assert.deepEqual(Object.keys(d), ['Date', 'Total']);
      assert.equal(
        days.reduce((n: number, d: Json) => n + d.Total, 0),
        3,
      );
      assert.equal(days.find((d: Json) => d.Date === formatQueryTime(BASE).slice(0, 10)).Total, 3);
    });

    it('deletes snapshots and their files, answering per item in request order', async () => {
      const res = await pop('DeleteSnapshotFiles', {
        ...stream(domain, 'cam'),
        CreateTimestampList: [BASE + 6_123, 42, BASE + 1000],
        RemoveFile: true,
      });
      assert.deepEqual(
        { ...res, RequestId: 'x' },
        {
          RequestId: 'x',
          SuccessCount: 2,
          FailureCount: 1,
          SnapshotDeleteInfoList: {
            SnapshotDeleteInfo: [
              { CreateTimestamp: BASE + 6_123, Message: 'OK' },
              { CreateTimestamp: 42, Message: 'FileNotFound' },
              { CreateTimestamp: BASE + 1000, Message: 'OK' },
            ],
          },
        },
      );
      for (const o of ['live/cam/1.jpg', 'live/cam/2.jpg', 'live/cam.jpg']) {
        assert.equal(await store.head('snaps', o), undefined, o);
      }
      const after = await pop('DescribeLiveStreamSnapshotInfo', {
        ...stream(domain, 'cam'),
        StartTime: formatQueryTime(BASE),
        EndTime: formatQueryTime(BASE + DAY),
      });
      assert.deepEqual(after.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo, []);
    });

    it('refuses bad input with pop-core errors', async () => {
      await assert.rejects(
        pop('DescribeLiveStreamSnapshotInfo', {
          ...stream(domain, 'cam'),
          StartTime: '2026-01-01',
          EndTime: '2026-01-02T00:00:00Z',
        }),
        (err: Error & { code: string }) => err.code === 'InvalidStartTime.Malformed',
      );
    });
  });
}

describe('DescribeLiveStreamSnapshotInfo paging', () => {
  const domain = 'paging.example.com';
  const expected: Array<{ ts: number; object: string }> = [];
  const window = { StartTime: formatQueryTime(BASE), EndTime: formatQueryTime(BASE + DAY) };

  before(async () => {
    // 12-second cycles with 0–15 rows per second, many sharing one millisecond (overwrite +
    // sequence pairs and a triple), rows on exact second boundaries too.
    const perSecond = [1, 2, 3, 0, 12, 1, 5, 9, 2, 0, 15, 4];
    let n = 0;
    for (let sec = 0; sec < perSecond.length * 6; sec++) {
      let ms = sec % 5 === 0 ? 0 : (sec * 37) % 200;
      for (let j = 0; j < perSecond[sec % perSecond.length]!; j++) {
        // Rows 1, 4, 7… tie with the row before; row 0 may sit on the second boundary.
        if (j > 0 && j % 3 !== 1) ms += 1 + ((sec + j) % 60);
        const ts = BASE + 60_000 + sec * 1000 + Math.min(ms, 999);
        const overlay = j % 3 === 1;
        const object = overlay ? `over/${n}.jpg` : `seq/${n}.jpg`;
        expected.push({ ts, object });
        await insert(rec(domain, 'dense', ts, object, overlay));
        n++;
      }
    }
    // A triple on one millisecond.
    for (let k = 0; k < 3; k++) {
      const ts = BASE + 30_000 + 500;
      expected.push({ ts, object: `triple/${k}.jpg` });
      await insert(rec(domain, 'dense', ts, `triple/${k}.jpg`));
    }
    assert.ok(expected.length >= 250, `${expected.length} rows`);
  });

  async function pageThrough(limit: number, order: 'asc' | 'desc') {
    const seen: Array<{ ts: number; object: string }> = [];
    let { StartTime, EndTime } = window;
    const forms = { seconds: 0, millis: 0 };
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 2000, 'paging does not end');
      const res = await call('DescribeLiveStreamSnapshotInfo', {
        ...stream(domain, 'dense'),
        StartTime,
        EndTime,
        Limit: limit,
        Order: order,
      });
      assert.equal(res.status, 200, res.text);
      const items = res.body.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo;
      for (const i of items) seen.push({ ts: i.CreateTimestamp, object: i.OssObject });
      const next: string | undefined = res.body.NextStartTime;
      if (next === undefined) break;
      assert.ok(items.length > 0, 'a page with a cursor holds rows');
      if (items.length > limit) {
        // Only a group of rows sharing one millisecond may exceed Limit.
        assert.equal(new Set(items.map((i: Json) => i.CreateTimestamp)).size, 1);
      }
      if (/\.\d{3}Z$/.test(next)) forms.millis++;
      else forms.seconds++;
      if (order === 'asc') StartTime = next;
      else EndTime = next;
    }
    return { seen, forms };
  }

  function sortedKeys(rows: Array<{ ts: number; object: string }>): string[] {
    return rows.map((r) => `${r.ts}|${r.object}`).sort();
  }

  for (const order of ['asc', 'desc'] as const) {
    for (const limit of [7, 1, 2, 100]) {
      it(`returns every row exactly once, ${order}, Limit ${limit}`, async () => {
        const { seen, forms } = await pageThrough(limit, order);
        assert.equal(seen.length, expected.length);
        assert.deepEqual(sortedKeys(seen), sortedKeys(expected));
        for (let i = 1; i < seen.length; i++) {
          const d = seen[i]!.ts - seen[i - 1]!.ts;
          assert.ok(order === 'asc' ? d >= 0 : d <= 0, 'rows in order');
        }
        if (limit === 7) {
          // Both cursor forms occur in this data: seconds where a page can end on a second
          // boundary, milliseconds inside the dense seconds.
          assert.ok(forms.seconds > 0 && forms.millis > 0, JSON.stringify(forms));
        }
      });
    }
  }
});

describe('DescribeLiveStreamSnapshotInfo errors and edge cases', () => {
  const domain = 'errors.example.com';
  const ok = {
    ...stream(domain, 'cam'),
    StartTime: formatQueryTime(BASE),
    EndTime: formatQueryTime(BASE + 3600_000),
  };
  const A = 'DescribeLiveStreamSnapshotInfo';

  before(async () => {
    await insert(rec(domain, 'cam', BASE + 10, 'a.jpg'));
    await api.catalog.nextSequence({ domainName: domain, appName: 'live', streamName: 'fresh' });
  });

  it('requires the stream and the window', async () => {
    for (const name of ['DomainName', 'AppName', 'StreamName', 'StartTime', 'EndTime']) {
      const params: Record<string, ParamValue> = { ...ok };
      delete params[name];
      const body = await expectError(A, params, 'MissingParameter');
      assert.match(body.Message, new RegExp(name));
    }
  });

  it('refuses malformed times', async () => {
    for (const t of [
      '2026-01-01',
      '2026-13-01T00:00:00Z',
      '2026-01-01T00:00:00.5Z',
      'x',
      '1700000000',
    ]) {
      await expectError(A, { ...ok, StartTime: t }, 'InvalidStartTime.Malformed');
      await expectError(A, { ...ok, EndTime: t }, 'InvalidEndTime.Malformed');
    }
  });

  it('refuses an empty or reversed window and one longer than a day', async () => {
    await expectError(A, { ...ok, EndTime: ok.StartTime }, 'InvalidEndTime.Mismatch');
    await expectError(
      A,
      { ...ok, EndTime: formatQueryTime(BASE - 1000) },
      'InvalidEndTime.Mismatch',
    );
    await expectError(
      A,
      { ...ok, EndTime: formatQueryTime(BASE + DAY + 1000) },
      'InvalidEndTime.Mismatch',
    );
    await expectError(
      A,
      { ...ok, EndTime: formatQueryTime(BASE + DAY + 1) },
      'InvalidEndTime.Mismatch',
    );
    const exactDay = await call(A, { ...ok, EndTime: formatQueryTime(BASE + DAY) });
    assert.equal(exactDay.status, 200);
  });

  it('refuses bad Limit and Order values', async () => {
    for (const limit of ['0', '101', '-1', '1.5', 'ten']) {
      await expectError(A, { ...ok, Limit: limit }, 'InvalidParameter');
    }
    await expectError(A, { ...ok, Order: 'up' }, 'InvalidParameter');
    const upper = await call(A, { ...ok, Order: 'DESC', Limit: 100 });
    assert.equal(upper.status, 200);
  });

  it('answers InvalidStream.NotFound only when nothing is known about the stream', async () => {
    const body = await expectError(A, { ...ok, StreamName: 'never' }, 'InvalidStream.NotFound');
    assert.equal(body.Message, 'Speicified stream does not exist.');
    for (const name of ['fresh', 'cam']) {
      const res = await call(A, {
        ...ok,
        StreamName: name,
        StartTime: formatQueryTime(BASE + 7200_000),
        EndTime: formatQueryTime(BASE + 9000_000),
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.LiveStreamSnapshotInfoList, { LiveStreamSnapshotInfo: [] });
      assert.equal(res.body.NextStartTime, undefined);
    }
  });

  it('accepts a millisecond StartTime', async () => {
    const res = await call(A, { ...ok, StartTime: formatQueryTime(BASE + 11) });
    assert.deepEqual(res.body.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo, []);
    const res2 = await call(A, { ...ok, StartTime: formatQueryTime(BASE + 10) });
    assert.equal(res2.body.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo.length, 1);
  });
});

describe('DeleteSnapshotFiles', () => {
  const domain = 'delete.example.com';
  const A = 'DeleteSnapshotFiles';
  const s = stream(domain, 'cam');

  it('removes the files with RemoveFile=true and keeps them with false', async () => {
    const t1 = BASE + 1000;
    const t2 = BASE + 2000;
    await insert(rec(domain, 'cam', t1, 'keep/1.jpg'), true);
    await insert(rec(domain, 'cam', t1, 'keep.jpg', true), true);
    await insert(rec(domain, 'cam', t2, 'drop/2.jpg'), true);

    const kept = await call(A, { ...s, CreateTimestampList: [t1], RemoveFile: 'false' }, 'POST');
    assert.equal(kept.status, 200, kept.text);
    assert.equal(kept.body.SuccessCount, 1);
    assert.ok(existsSync(join(dataDir, 'storage/snaps/keep/1.jpg')));
    assert.ok(existsSync(join(dataDir, 'storage/snaps/keep.jpg')));
    assert.deepEqual(
      await api.catalog.findSnapshotRecords(
        { domainName: domain, appName: 'live', streamName: 'cam' },
        [t1],
      ),
      [],
    );

    // The JSON-array form of the list (as the official SDKs send it).
    const dropped = await call(A, {
      ...s,
      CreateTimestampList: `[${t2}, ${t1}]`,
      RemoveFile: 'TRUE',
    });
    assert.equal(dropped.status, 200, dropped.text);
    assert.deepEqual(dropped.body.SnapshotDeleteInfoList.SnapshotDeleteInfo, [
      { CreateTimestamp: t2, Message: 'OK' },
      { CreateTimestamp: t1, Message: 'FileNotFound' },
    ]);
    assert.equal(dropped.body.SuccessCount, 1);
    assert.equal(dropped.body.FailureCount, 1);
    assert.ok(!existsSync(join(dataDir, 'storage/snaps/drop/2.jpg')));
  });

  it('answers FileNotFound for every item of an unknown stream', async () => {
    const res = await call(A, {
      ...stream(domain, 'nobody'),
      CreateTimestampList: [1, 2],
      RemoveFile: true,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.SuccessCount, 0);
    assert.deepEqual(res.body.FailureCount, 2);
  });

  it('accepts 200 timestamps and refuses 201', async () => {
    const list = Array.from({ length: 200 }, (_, i) => BASE + i);
    const res = await call(A, { ...s, CreateTimestampList: list, RemoveFile: false });
    assert.equal(res.status, 200);
    assert.equal(res.body.SnapshotDeleteInfoList.SnapshotDeleteInfo.length, 200);
    await expectError(
      A,
      { ...s, CreateTimestampList: [...list, BASE + 999], RemoveFile: false },
      'InvalidParameter',
    );
    await expectError(
      A,
      { ...s, CreateTimestampList: JSON.stringify([...list, BASE + 999]), RemoveFile: false },
      'InvalidParameter',
    );
  });

  it('refuses bad input and deletes nothing then', async () => {
    const t = BASE + 5000;
    await insert(rec(domain, 'cam', t, 'still/here.jpg'), true);
    const base = { ...s, RemoveFile: true };
    await expectError(A, base, 'MissingParameter');
    await expectError(A, { ...s, CreateTimestampList: [t] }, 'MissingParameter');
    await expectError(
      A,
      { ...base, CreateTimestampList: [t], RemoveFile: 'yes' },
      'InvalidParameter',
    );
    for (const bad of [
      [t, 'abc'],
      [t, -5],
      [t, 1.5],
      [t, t],
      [t, '99999999999999999'],
    ]) {
      await expectError(A, { ...base, CreateTimestampList: bad }, 'InvalidParameter');
    }
    for (const bad of ['[]', '{"a":1}', `[${t},`, `["${t}x"]`]) {
      await expectError(A, { ...base, CreateTimestampList: bad }, 'InvalidParameter');
    }
    await expectError(A, { ...base, 'CreateTimestampList.2': String(t) }, 'InvalidParameter');
    await expectError(
      A,
      { ...base, CreateTimestampList: `[${t}]`, 'CreateTimestampList.1': String(t) },
      'InvalidParameter',
    );
    await expectError(
      A,
      { ...base, DomainName: 'bad domain', CreateTimestampList: [t] },
      'InvalidParameter',
    );
    assert.equal(
      (
        await api.catalog.findSnapshotRecords(
          { domainName: domain, appName: 'live', streamName: 'cam' },
          [t],
        )
      ).length,
      1,
    );
    assert.ok(existsSync(join(dataDir, 'storage/snaps/still/here.jpg')));
  });
});

describe('DescribeLiveDomainSnapshotData', () => {
  const A = 'DescribeLiveDomainSnapshotData';
  const day0 = Math.floor(NOW / DAY) * DAY - 5 * DAY;

  before(async () => {
    await insert(rec('daily-a.example.com', 'x', day0 + 10, 'd/1.jpg'));
    await insert(rec('daily-a.example.com', 'x', day0 + 2 * DAY + 5, 'd/2.jpg'));
    await insert(rec('daily-a.example.com', 'y', day0 + 2 * DAY + 9, 'd/3.jpg'));
    await insert(rec('daily-b.example.com', 'x', day0 + 2 * DAY + 7, 'd/4.jpg'));
  });

  it('lists every day of the range, zeros included, summed over the domains', async () => {
    const res = await call(A, {
      DomainName: 'daily-a.example.com, DAILY-B.example.com',
      StartTime: formatQueryTime(day0),
      EndTime: formatQueryTime(day0 + 3 * DAY),
    });
    assert.equal(res.status, 200, res.text);
    const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    assert.deepEqual(res.body.SnapshotDataInfos.SnapshotDataInfo, [
      { Date: date(day0), Total: 1 },
      { Date: date(day0 + DAY), Total: 0 },
      { Date: date(day0 + 2 * DAY), Total: 3 },
    ]);
    const one = await call(A, {
      DomainName: 'daily-b.example.com',
      StartTime: formatQueryTime(day0 + 2 * DAY),
      EndTime: formatQueryTime(day0 + 2 * DAY + 3600_000),
    });
    assert.deepEqual(one.body.SnapshotDataInfos.SnapshotDataInfo, [
      { Date: date(day0 + 2 * DAY), Total: 1 },
    ]);
  });

  it('counts every domain when DomainName is omitted', async () => {
    const res = await call(A, {
      StartTime: formatQueryTime(day0 + 2 * DAY),
      EndTime: formatQueryTime(day0 + 2 * DAY + 1000),
    });
    assert.ok(res.body.SnapshotDataInfos.SnapshotDataInfo[0].Total >= 3);
  });

  it('refuses bad windows and domain lists', async () => {
    const w = { StartTime: formatQueryTime(day0), EndTime: formatQueryTime(day0 + DAY) };
    await expectError(A, { EndTime: w.EndTime }, 'MissingParameter');
    await expectError(A, { StartTime: w.StartTime }, 'MissingParameter');
    await expectError(A, { ...w, StartTime: 'yesterday' }, 'InvalidStartTime.Malformed');
    await expectError(A, { ...w, EndTime: '2026-01-01T25:00:00Z' }, 'InvalidEndTime.Malformed');
    await expectError(A, { ...w, EndTime: w.StartTime }, 'InvalidEndTime.Mismatch');
    await expectError(
      A,
      { StartTime: formatQueryTime(day0 - 100 * DAY), EndTime: formatQueryTime(day0 - 99 * DAY) },
      'InvalidStartTime.ValueNotSupported',
    );
    await expectError(
      A,
      { ...w, EndTime: formatQueryTime(day0 + 200 * DAY) },
      'InvalidEndTime.Mismatch',
    );
    await expectError(A, { ...w, DomainName: 'ok.example.com,bad_domain!' }, 'InvalidParameter');
  });
});

describe('DescribeLiveStreamsOnlineList', () => {
  const A = 'DescribeLiveStreamsOnlineList';
  const status = (over: Partial<StreamStatus>): StreamStatus => ({
    domain: 'live.example.com',
    app: 'live',
    stream: 'cam1',
    publishTime: NOW - 10_000,
    remote: '10.0.0.7:50123',
    protocol: 'rtmp',
    codec: 'h264',
    width: 1920,
    height: 1080,
    keyframeIntervalMs: 2000,
    frames: 300,
    bytes: 5_000_000,
    snapshotsTaken: 2,
    snapshotsSkipped: 1,
    snapshotsFailed: 0,
    lastSnapshotAt: BASE + 1000,
    keyframeIntervalTooLong: false,
    lastError: undefined,
    ...over,
  });

  let t0 = 0;

  before(() => {
    t0 = Date.now();
    streams = [
      status({ publishTime: t0 - 10_000 }),
      status({
        stream: 'cam2',
        publishTime: t0 - 5000,
        remote: '[::1]:6000',
        codec: 'hevc',
        keyframeIntervalMs: 12_500,
        keyframeIntervalTooLong: true,
        lastSnapshotAt: undefined,
        lastError: 'decode failed',
        snapshotsTaken: 0,
      }),
      status({ domain: 'other.example.com', app: 'tv', stream: 'news', publishTime: t0 - 1000 }),
    ];
  });

  it('lists the live streams with the Live fields and the snapshot extension', async () => {
    const client = new RPCClient({
      endpoint: api.baseUrl,
      apiVersion: '2016-11-01',
      accessKeyId: api.creds.accessKeyId,
      accessKeySecret: api.creds.accessKeySecret,
    });
    const res: Json = plain(
      await client.request(A, { DomainName: 'live.example.com' }, { method: 'POST' }),
    );
    assert.deepEqual(Object.keys(res).sort(), [
      'OnlineInfo',
      'PageNum',
      'PageSize',
      'RequestId',
      'TotalNum',
      'TotalPage',
    ]);
    assert.equal(res.PageNum, 1);
    assert.equal(res.PageSize, 2000);
    assert.equal(res.TotalNum, 2);
    assert.equal(res.TotalPage, 1);
    const [newest, older] = res.OnlineInfo.LiveStreamOnlineInfo;
    assert.equal(newest.StreamName, 'cam2', 'newest publish first by default');
    assert.deepEqual(older, {
      DomainName: 'live.example.com',
      AppName: 'live',
      StreamName: 'cam1',
      PublishTime: formatQueryTime(Math.floor((t0 - 10_000) / 1000) * 1000),
      PublishUrl: 'rtmp://live.example.com/live/cam1',
      PublishDomain: 'live.example.com',
      PublishType: 'edge',
      ClientIp: '10.0.0.7',
      Transcoded: 'no',
      VideoCodecType: 'H264',
      Width: 1920,
      Height: 1080,
      FrameRate: older.FrameRate,
      VideoDataRate: older.VideoDataRate,
      KeyframeInterval: 2,
      SnapshotsTaken: 2,
      SnapshotsSkipped: 1,
      SnapshotsFailed: 0,
      LastSnapshotTime: formatQueryTime(BASE + 1000),
      KeyframeIntervalTooLong: false,
    });
    assert.ok(older.FrameRate >= 25 && older.FrameRate <= 30, String(older.FrameRate));
    assert.equal(newest.ClientIp, '::1');
    assert.equal(newest.VideoCodecType, 'H265');
    assert.equal(newest.KeyframeInterval, 12.5);
    assert.equal(newest.KeyframeIntervalTooLong, true);
    assert.equal(newest.LastSnapshotError, 'decode failed');
    assert.equal(newest.LastSnapshotTime, undefined);
  });

  it('filters, orders and pages', async () => {
    const names = async (params: Record<string, ParamValue>) => {
      const res = await call(A, params);
      assert.equal(res.status, 200, res.text);
      return res.body.OnlineInfo.LiveStreamOnlineInfo.map((i: Json) => i.StreamName);
    };
    assert.deepEqual(await names({}), ['news', 'cam2', 'cam1']);
    assert.deepEqual(await names({ OrderBy: 'publish_time_asc' }), ['cam1', 'cam2', 'news']);
    assert.deepEqual(await names({ AppName: 'tv' }), ['news']);
    assert.deepEqual(await names({ StreamName: 'cam' }), []);
    assert.deepEqual(await names({ StreamName: 'CAM', QueryType: 'fuzzy' }), ['cam2', 'cam1']);
    assert.deepEqual(await names({ StreamType: 'trans' }), []);
    assert.deepEqual(await names({ PageSize: 2, PageNum: 2 }), ['cam1']);
    assert.deepEqual(await names({ PageSize: 2, PageNum: 3 }), []);
    const paged = await call(A, { PageSize: 2 });
    assert.equal(paged.body.TotalPage, 2);
    assert.equal(paged.body.TotalNum, 3);
  });

  it('refuses bad paging and filter values', async () => {
    const bad: Array<Record<string, ParamValue>> = [
      { PageNum: 0 },
      { PageSize: 0 },
      { PageSize: 3001 },
      { PageNum: 'x' },
    ];
    for (const p of bad) {
      await expectError(A, p, 'InvalidParameter');
    }
    await expectError(A, { OrderBy: 'name' }, 'InvalidParameter');
    await expectError(A, { QueryType: 'regex' }, 'InvalidParameter');
  });
});
