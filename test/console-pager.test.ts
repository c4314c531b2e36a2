/**
 * The console's paging over DescribeLiveStreamSnapshotInfo (web/src/lib/snapshot-pager.ts):
 * one-day windows, NextStartTime inside a window, empty windows skipped, both orders; rows of
 * one capture grouped; batches of at most 200; loopback URLs re-based for remote browsers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chunk, DELETE_BATCH, type SnapshotItem, type SnapshotPage } from '../web/src/lib/api.js';
import { browserUrl, urlExpiry } from '../web/src/lib/media-url.js';
import {
  groupCaptures,
  SnapshotPager,
  WINDOW_MS,
  type PageFetcher,
} from '../web/src/lib/snapshot-pager.js';

const T0 = Date.UTC(2026, 0, 1);

function item(ts: number, overlay = false): SnapshotItem {
  return {
    OssEndpoint: 'local',
    OssBucket: 'b',
    OssObject: overlay ? 'a/s.jpg' : `a/s/${ts}.jpg`,
    CreateTime: new Date(ts).toISOString(),
    CreateTimestamp: ts,
    IsOverlay: overlay,
  };
}

/** A fake API over `rows`: the spec's window checks and the server's cursor rules. */
function fakeApi(rows: SnapshotItem[]): { fetch: PageFetcher; calls: string[] } {
  const calls: string[] = [];
  const fetch: PageFetcher = async (q) => {
    const start = Date.parse(q.StartTime);
    const end = Date.parse(q.EndTime);
    calls.push(`${q.StartTime}..${q.EndTime}`);
    assert.ok(end > start && end - start <= WINDOW_MS, `window ${q.StartTime}..${q.EndTime}`);
    const inWindow = rows
      .filter((r) => r.CreateTimestamp >= start && r.CreateTimestamp < end)
      .sort((a, b) =>
        q.Order === 'asc'
          ? a.CreateTimestamp - b.CreateTimestamp
          : b.CreateTimestamp - a.CreateTimestamp,
      );
    const page = inWindow.slice(0, q.Limit);
    const next = inWindow[q.Limit];
    const res: SnapshotPage = { items: page };
    if (next) {
      const cursor = q.Order === 'asc' ? next.CreateTimestamp : next.CreateTimestamp + 1;
      res.NextStartTime = new Date(cursor).toISOString();
    }
    return res;
  };
  return { fetch, calls };
}

async function drain(p: SnapshotPager): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    const page = await p.next();
    if (page.length === 0) {
      assert.equal(p.hasMore, false, 'an empty page only at the end');
      return out;
    }
    out.push(...page.map((i) => i.CreateTimestamp));
  }
}

describe('console pager', () => {
  // 3 days of rows with a gap of a whole day in the middle, 7 s apart
  const rows: SnapshotItem[] = [];
  for (let t = T0 + 1000; t < T0 + 3 * WINDOW_MS; t += 7000) {
    if (t >= T0 + WINDOW_MS && t < T0 + 2 * WINDOW_MS) continue;
    rows.push(item(t));
  }
  const asc = rows.map((r) => r.CreateTimestamp);

  test('ascending over several days: every row once, in order, windows ≤ 1 day', async () => {
    const api = fakeApi(rows);
    const p = new SnapshotPager(
      { startMs: T0, endMs: T0 + 3 * WINDOW_MS, order: 'asc', limit: 100 },
      api.fetch,
    );
    assert.deepEqual(await drain(p), asc);
  });

  test('descending: every row once, newest first, the cursor moves EndTime back', async () => {
    const api = fakeApi(rows);
    const p = new SnapshotPager(
      { startMs: T0, endMs: T0 + 3 * WINDOW_MS, order: 'desc', limit: 37 },
      api.fetch,
    );
    assert.deepEqual(await drain(p), [...asc].reverse());
  });

  test('an empty range or stream: one page of nothing, no more', async () => {
    const api = fakeApi([]);
    const p = new SnapshotPager(
      { startMs: T0, endMs: T0 + 2 * WINDOW_MS + 5, order: 'desc', limit: 10 },
      api.fetch,
    );
    assert.deepEqual(await p.next(), []);
    assert.equal(p.hasMore, false);
    assert.equal(api.calls.length, 3, 'three windows scanned');
    const none = new SnapshotPager({ startMs: T0, endMs: T0, order: 'asc', limit: 10 }, api.fetch);
    assert.equal(none.hasMore, false);
  });

  test('errors reach the caller (e.g. InvalidStream.NotFound)', async () => {
    const p = new SnapshotPager(
      { startMs: T0, endMs: T0 + 1000, order: 'asc', limit: 10 },
      async () => {
        throw new Error('InvalidStream.NotFound');
      },
    );
    await assert.rejects(p.next(), /InvalidStream/);
  });

  test('rows of one capture (overwrite + sequence) become one capture, across pages too', () => {
    const first = groupCaptures([], [item(T0 + 5, true), item(T0 + 5), item(T0 + 9)]);
    assert.equal(first.length, 2);
    assert.equal(first[0]!.main.IsOverlay, false, 'the sequence object shows the capture');
    const more = groupCaptures(first, [item(T0 + 9, true), item(T0 + 12, true)]);
    assert.deepEqual(
      more.map((c) => [c.ts, c.items.length]),
      [
        [T0 + 5, 2],
        [T0 + 9, 2],
        [T0 + 12, 1],
      ],
    );
    assert.equal(more[2]!.main.IsOverlay, true, 'an overwrite-only capture shows its object');
  });

  test('batches of at most 200', () => {
    const ts = Array.from({ length: 450 }, (_, i) => i);
    const batches = chunk(ts, DELETE_BATCH);
    assert.deepEqual(
      batches.map((b) => b.length),
      [200, 200, 50],
    );
    assert.deepEqual(batches.flat(), ts);
  });
});

describe('console image URLs', () => {
  const signed =
    'http://127.0.0.1:8080/storage/b/a.jpg?AccessKeyId=k&Expires=1800000000&Signature=x%2By';

  test('a loopback URL is re-based onto a remote console origin, keeping path and query', () => {
    assert.equal(
      browserUrl(signed, new URL('http://10.0.0.5:8080/console/snapshots')),
      'http://10.0.0.5:8080/storage/b/a.jpg?AccessKeyId=k&Expires=1800000000&Signature=x%2By',
    );
  });

  test('kept as is on the server itself or for a public URL', () => {
    assert.equal(browserUrl(signed, new URL('http://localhost:8080/console/')), signed);
    const pub = 'https://snaps.example.com/storage/b/a.jpg?Expires=1';
    assert.equal(browserUrl(pub, new URL('http://10.0.0.5:8080/console/')), pub);
  });

  test('the expiry of a signed URL', () => {
    assert.equal(urlExpiry(signed), 1800000000 * 1000);
    assert.equal(urlExpiry('http://x/y'), undefined);
  });
});
