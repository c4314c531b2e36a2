import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import type {
  CallbackEntryInput,
  Catalog,
  SnapshotRecord,
  SnapshotRule,
} from '../src/catalog/catalog-types.js';
import { SqliteCatalog } from '../src/catalog/sqlite-catalog.js';

/**
 * What a catalog factory hands the suite. `reopen` (optional) closes nothing itself: the
 * suite closes `catalog` first, then calls it to get a fresh instance on the same storage
 * (durability checks run only when it is given).
 */
export interface CatalogFixture {
  catalog: Catalog;
  reopen?: () => Promise<Catalog>;
  cleanup?: () => Promise<void>;
}

const T0 = Date.UTC(2026, 0, 10, 8, 0, 0);

function rule(
  domainName: string,
  appName: string,
  extra: Partial<SnapshotRule> = {},
): SnapshotRule {
  return {
    domainName,
    appName,
    timeInterval: 10,
    ossEndpoint: 'local',
    ossBucket: 'snaps',
    overwriteOssObject: '{AppName}/{StreamName}.jpg',
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  };
}

function record(ts: number, extra: Partial<SnapshotRecord> = {}): SnapshotRecord {
  return {
    domainName: 'example.com',
    appName: 'live',
    streamName: 'cam1',
    ossEndpoint: 'local',
    ossBucket: 'snaps',
    ossObject: `live/cam1/${ts}.jpg`,
    createTimestamp: ts,
    isOverlay: false,
    width: 1920,
    height: 1080,
    size: 1000,
    ...extra,
  };
}

const stream = { domainName: 'example.com', appName: 'live', streamName: 'cam1' };

function callback(n: number, extra: Partial<CallbackEntryInput> = {}): CallbackEntryInput {
  return {
    eventId: `ev-${n}`,
    event: 'LiveSnapshot',
    domainName: 'example.com',
    url: 'http://a.example.com:8080/cb',
    origin: 'a.example.com:8080',
    body: JSON.stringify({ Event: 'LiveSnapshot', N: n }),
    createdAt: T0 + n,
    ...extra,
  };
}

/** The one suite every Catalog implementation must pass unchanged. */
export function runCatalogContract(name: string, factory: () => Promise<CatalogFixture>): void {
  describe(`Catalog contract: ${name}`, () => {
    let fx: CatalogFixture;
    let c: Catalog;

    beforeEach(async () => {
      fx = await factory();
      c = fx.catalog;
      await c.start();
    });
    afterEach(async () => {
      await c.close();
      await fx.cleanup?.();
    });

    it('stores access keys with active and root flags', async () => {
      await c.putAccessKey({
        accessKeyId: 'AK1',
        accessKeySecret: 's1',
        active: true,
        isRoot: false,
        createdAt: T0,
      });
      assert.deepEqual(await c.getAccessKey('AK1'), {
        accessKeyId: 'AK1',
        accessKeySecret: 's1',
        active: true,
        isRoot: false,
        createdAt: T0,
      });
      assert.equal(await c.setAccessKeyActive('AK1', false), true);
      assert.equal((await c.getAccessKey('AK1'))?.active, false);
      assert.equal(await c.setAccessKeyActive('nope', false), false);
      assert.equal(await c.getAccessKey('nope'), undefined);
    });

    it('keeps exactly one active root key', async () => {
      await c.setRootAccessKey({ accessKeyId: 'R1', accessKeySecret: 'a', createdAt: T0 });
      await c.setRootAccessKey({ accessKeyId: 'R2', accessKeySecret: 'b', createdAt: T0 + 1 });
      const keys = await c.listAccessKeys();
      assert.deepEqual(
        keys.map((k) => [k.accessKeyId, k.active, k.isRoot]),
        [
          ['R1', false, true],
          ['R2', true, true],
        ],
      );
      await c.setRootAccessKey({ accessKeyId: 'R1', accessKeySecret: 'a2', createdAt: T0 });
      assert.equal((await c.getAccessKey('R1'))?.active, true);
      assert.equal((await c.getAccessKey('R1'))?.accessKeySecret, 'a2');
      assert.equal((await c.getAccessKey('R2'))?.active, false);
    });

    it('inserts a rule once per (domain, app), domain case-insensitive', async () => {
      assert.equal(
        await c.insertRule(rule('Example.COM', 'live', { callback: 'http://x/' })),
        true,
      );
      assert.equal(await c.insertRule(rule('example.com', 'live')), false);
      assert.equal(await c.insertRule(rule('example.com', 'Live')), true);
      const got = await c.getRule('EXAMPLE.com', 'live');
      assert.deepEqual(got, rule('example.com', 'live', { callback: 'http://x/' }));
      assert.equal('sequenceOssObject' in got!, false);
    });

    it('updates a rule atomically and rolls back when apply throws', async () => {
      await c.insertRule(rule('example.com', 'live'));
      const updated = await c.updateRule(
        'example.com',
        'live',
        (cur) => ({ ...cur, timeInterval: 20, sequenceOssObject: 's/{Sequence}.jpg' }),
        T0 + 5,
      );
      assert.equal(updated?.timeInterval, 20);
      assert.equal(updated?.sequenceOssObject, 's/{Sequence}.jpg');
      assert.equal(updated?.updatedAt, T0 + 5);
      assert.equal(updated?.createdAt, T0);

      await assert.rejects(
        c.updateRule(
          'example.com',
          'live',
          () => {
            throw new Error('boom');
          },
          T0 + 6,
        ),
        /boom/,
      );
      assert.equal((await c.getRule('example.com', 'live'))?.timeInterval, 20);

      const removed = await c.updateRule(
        'example.com',
        'live',
        (cur) => ({ ...cur, overwriteOssObject: undefined }),
        T0 + 7,
      );
      assert.equal(removed && 'overwriteOssObject' in removed, false);
      assert.equal(await c.updateRule('example.com', 'other', (x) => x, T0), undefined);
    });

    it('deletes rules', async () => {
      await c.insertRule(rule('example.com', 'live'));
      assert.equal(await c.deleteRule('example.com', 'live'), true);
      assert.equal(await c.deleteRule('example.com', 'live'), false);
      assert.equal(await c.getRule('example.com', 'live'), undefined);
    });

    it('lists rules with paging, order and app filter', async () => {
      for (let i = 0; i < 7; i++) {
        await c.insertRule(rule('example.com', `app${i}`, { createdAt: T0 + (i % 3) }));
      }
      await c.insertRule(rule('example.com', '*', { createdAt: T0 + 10 }));
      await c.insertRule(rule('other.com', 'app0'));
      const asc = await c.listRules({
        domainName: 'example.com',
        order: 'asc',
        offset: 0,
        limit: 5,
      });
      assert.equal(asc.total, 8);
      assert.deepEqual(
        asc.items.map((r) => r.appName),
        ['app0', 'app3', 'app6', 'app1', 'app4'],
      );
      const page2 = await c.listRules({
        domainName: 'example.com',
        order: 'asc',
        offset: 5,
        limit: 5,
      });
      assert.deepEqual(
        page2.items.map((r) => r.appName),
        ['app2', 'app5', '*'],
      );
      const desc = await c.listRules({
        domainName: 'example.com',
        order: 'desc',
        offset: 0,
        limit: 3,
      });
      assert.deepEqual(
        desc.items.map((r) => r.appName),
        ['*', 'app5', 'app2'],
      );
      const star = await c.listRules({
        domainName: 'example.com',
        appName: '*',
        order: 'asc',
        offset: 0,
        limit: 10,
      });
      assert.equal(star.total, 1);
      assert.equal(star.items[0]?.appName, '*');
      const none = await c.listRules({
        domainName: 'nope.com',
        order: 'asc',
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(none, { total: 0, items: [] });
    });

    it('resolves the exact app rule before the domain-wide one', async () => {
      assert.equal(await c.resolveRule('example.com', 'live'), undefined);
      await c.insertRule(rule('example.com', '*', { timeInterval: 30 }));
      assert.equal((await c.resolveRule('example.com', 'live'))?.appName, '*');
      await c.insertRule(rule('example.com', 'live', { timeInterval: 5 }));
      assert.equal((await c.resolveRule('EXAMPLE.com', 'live'))?.timeInterval, 5);
      assert.equal((await c.resolveRule('example.com', 'other'))?.timeInterval, 30);
      assert.equal(await c.resolveRule('other.com', 'live'), undefined);
    });

    it('stores one notify/auth setting per domain, read-modify-write', async () => {
      assert.equal(await c.getNotifySettings('example.com'), undefined);
      const s1 = await c.updateNotifySettings(
        'Example.com',
        (cur) => {
          assert.equal(cur, undefined);
          return { notifyUrl: 'http://cb/', authEnabled: false };
        },
        T0,
      );
      assert.deepEqual(s1, {
        domainName: 'example.com',
        notifyUrl: 'http://cb/',
        authEnabled: false,
        updatedAt: T0,
      });
      const s2 = await c.updateNotifySettings(
        'example.com',
        (cur) => ({ ...cur!, authEnabled: true, authKey: 'k'.repeat(16) }),
        T0 + 1,
      );
      assert.equal(s2?.notifyUrl, 'http://cb/');
      assert.equal(s2?.authKey, 'k'.repeat(16));
      await assert.rejects(
        c.updateNotifySettings(
          'example.com',
          () => {
            throw new Error('nope');
          },
          T0 + 2,
        ),
      );
      assert.equal((await c.getNotifySettings('example.com'))?.authEnabled, true);
      assert.equal(await c.updateNotifySettings('example.com', () => undefined, T0 + 3), undefined);
      assert.equal(await c.getNotifySettings('example.com'), undefined);
    });

    it('lists records in a window with order, limit and next timestamp', async () => {
      for (let i = 0; i < 5; i++) await c.insertSnapshotRecord(record(T0 + i * 1000));
      await c.insertSnapshotRecord(record(T0 + 1000, { streamName: 'cam2' }));
      const page = await c.listSnapshotRecords({
        ...stream,
        domainName: 'EXAMPLE.com',
        startMs: T0,
        endMs: T0 + 4000,
        order: 'asc',
        limit: 2,
      });
      assert.deepEqual(
        page.items.map((r) => r.createTimestamp),
        [T0, T0 + 1000],
      );
      assert.equal(page.nextCreateTimestamp, T0 + 2000);
      assert.deepEqual(page.items[0], record(T0));
      const rest = await c.listSnapshotRecords({
        ...stream,
        startMs: T0 + 2000,
        endMs: T0 + 4000,
        order: 'asc',
        limit: 2,
      });
      assert.equal(rest.items.length, 2);
      assert.equal(rest.nextCreateTimestamp, undefined);
      const desc = await c.listSnapshotRecords({
        ...stream,
        startMs: T0,
        endMs: T0 + 10_000,
        order: 'desc',
        limit: 10,
      });
      assert.deepEqual(
        desc.items.map((r) => r.createTimestamp),
        [4, 3, 2, 1, 0].map((i) => T0 + i * 1000),
      );
    });

    it('replaces the overlay record of an overwritten object', async () => {
      const overlay = { isOverlay: true, ossObject: 'live/cam1.jpg' };
      await c.insertSnapshotRecord(record(T0, overlay));
      await c.insertSnapshotRecord(record(T0));
      await c.insertSnapshotRecord(record(T0 + 5000, overlay));
      const all = await c.listSnapshotRecords({
        ...stream,
        startMs: 0,
        endMs: T0 + 10_000,
        order: 'asc',
        limit: 10,
      });
      assert.deepEqual(
        all.items.map((r) => [r.createTimestamp, r.isOverlay]),
        [
          [T0, false],
          [T0 + 5000, true],
        ],
      );
    });

    it('deletes records by timestamp and reports which existed', async () => {
      await c.insertSnapshotRecord(record(T0));
      await c.insertSnapshotRecord(record(T0, { isOverlay: true, ossObject: 'live/cam1.jpg' }));
      await c.insertSnapshotRecord(record(T0 + 1000));
      const found = await c.findSnapshotRecords(stream, [T0, T0 + 99]);
      assert.equal(found.length, 2);
      const res = await c.deleteSnapshotRecords(stream, [T0, T0 + 99, T0]);
      assert.deepEqual(res.deleted.map((r) => r.ossObject).sort(), [
        'live/cam1.jpg',
        `live/cam1/${T0}.jpg`,
      ]);
      assert.deepEqual(res.missing, [T0 + 99]);
      const again = await c.deleteSnapshotRecords(stream, [T0]);
      assert.deepEqual(again, { deleted: [], missing: [T0] });
      const other = await c.deleteSnapshotRecords({ ...stream, streamName: 'x' }, [T0 + 1000]);
      assert.deepEqual(other.missing, [T0 + 1000]);
      assert.equal((await c.findSnapshotRecords(stream, [T0 + 1000])).length, 1);
    });

    it('counts records per domain and UTC day, and prunes old ones', async () => {
      const day = 86_400_000;
      const d0 = Date.UTC(2026, 0, 10);
      await c.insertSnapshotRecord(record(d0 + 1));
      await c.insertSnapshotRecord(record(d0 + 2));
      await c.insertSnapshotRecord(record(d0 + day + 5));
      await c.insertSnapshotRecord(record(d0 + 3, { domainName: 'b.com' }));
      assert.deepEqual(await c.countSnapshotsByDay(d0, d0 + 2 * day), [
        { domainName: 'b.com', date: '2026-01-10', count: 1 },
        { domainName: 'example.com', date: '2026-01-10', count: 2 },
        { domainName: 'example.com', date: '2026-01-11', count: 1 },
      ]);
      assert.deepEqual(await c.countSnapshotsByDay(d0, d0 + day, ['B.com']), [
        { domainName: 'b.com', date: '2026-01-10', count: 1 },
      ]);
      assert.equal(await c.pruneSnapshotRecords(d0 + day), 3);
      assert.equal((await c.countSnapshotsByDay(0, d0 + 3 * day)).length, 1);
    });

    it('hands out per-stream sequence numbers atomically', async () => {
      assert.equal(await c.isKnownStream(stream), false);
      const got = await Promise.all(Array.from({ length: 20 }, () => c.nextSequence(stream)));
      assert.deepEqual(
        got.sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      assert.equal(await c.nextSequence({ ...stream, streamName: 'cam2' }), 1);
      assert.equal(await c.nextSequence({ ...stream, domainName: 'EXAMPLE.COM' }), 21);
      assert.equal(await c.isKnownStream(stream), true);
    });

    it('keeps everything across a restart', async (t) => {
      if (!fx.reopen) {
        t.skip('in-memory implementation');
        return;
      }
      await c.insertRule(rule('example.com', 'live'));
      await c.setRootAccessKey({ accessKeyId: 'R1', accessKeySecret: 'a', createdAt: T0 });
      await c.updateNotifySettings('example.com', () => ({ authEnabled: true, authKey: 'k' }), T0);
      await c.insertSnapshotRecord(record(T0));
      await c.nextSequence(stream);
      await c.close();
      c = await fx.reopen();
      await c.start();
      assert.deepEqual(await c.getRule('example.com', 'live'), rule('example.com', 'live'));
      assert.equal((await c.getAccessKey('R1'))?.accessKeySecret, 'a');
      assert.equal((await c.getNotifySettings('example.com'))?.authKey, 'k');
      assert.equal((await c.findSnapshotRecords(stream, [T0])).length, 1);
      assert.equal(await c.nextSequence(stream), 2);
    });

    it('writes a record and its callbacks in one transaction', async () => {
      await c.insertSnapshotRecord(record(T0), [callback(1), callback(2, { url: 'http://b/' })]);
      assert.equal((await c.findSnapshotRecords(stream, [T0])).length, 1);
      const got = await c.getCallback('ev-1');
      assert.deepEqual(got, {
        ...callback(1),
        state: 'pending',
        attempts: 0,
        nextAttemptAt: T0 + 1,
        updatedAt: T0 + 1,
      });
      // a failing callback insert (duplicate event id) leaves no record behind
      await assert.rejects(c.insertSnapshotRecord(record(T0 + 1000), [callback(3), callback(1)]));
      assert.equal((await c.findSnapshotRecords(stream, [T0 + 1000])).length, 0);
      assert.equal(await c.getCallback('ev-3'), undefined);
      // without callbacks the record path is unchanged
      await c.insertSnapshotRecord(record(T0 + 2000));
      assert.deepEqual(await c.countCallbacks(), {
        pending: 2,
        delivering: 0,
        delivered: 0,
        dead: 0,
      });
    });

    it('claims due callbacks oldest first within the per-origin limit', async () => {
      const slow = { url: 'http://slow/', origin: 'slow:80' };
      await c.enqueueCallbacks([
        callback(1, slow),
        callback(2, slow),
        callback(3, slow),
        callback(4),
        callback(5),
        callback(6, { createdAt: T0 + 10_000 }), // not due yet
      ]);
      assert.equal(await c.nextCallbackDueAt(), T0 + 1);
      const claimed = await c.claimCallbacks({
        now: T0 + 100,
        limit: 10,
        maxPerOrigin: 2,
        inFlight: new Map([['slow:80', 1]]),
      });
      assert.deepEqual(
        claimed.map((e) => [e.eventId, e.state, e.attempts]),
        [
          ['ev-1', 'delivering', 1],
          ['ev-4', 'delivering', 1],
          ['ev-5', 'delivering', 1],
        ],
      );
      // claimed entries are not claimed again; a full origin is skipped entirely
      const more = await c.claimCallbacks({
        now: T0 + 100,
        limit: 10,
        maxPerOrigin: 2,
        inFlight: new Map([['slow:80', 2]]),
      });
      assert.deepEqual(more, []);
      const limited = await c.claimCallbacks({
        now: T0 + 20_000,
        limit: 1,
        maxPerOrigin: 2,
        inFlight: new Map(),
      });
      assert.deepEqual(
        limited.map((e) => e.eventId),
        ['ev-2'],
      );
    });

    it('records outcomes, releases interrupted claims and redelivers dead letters', async () => {
      await c.enqueueCallbacks([1, 2, 3, 4].map((n) => callback(n)));
      const all = { now: T0 + 10, limit: 10, maxPerOrigin: 10, inFlight: new Map() };
      assert.equal((await c.claimCallbacks(all)).length, 4);
      await c.completeCallbacks([
        { eventId: 'ev-1', at: T0 + 20, state: 'delivered', status: 200 },
        {
          eventId: 'ev-2',
          at: T0 + 20,
          state: 'pending',
          nextAttemptAt: T0 + 5000,
          status: 503,
          error: 'x'.repeat(2000),
        },
        { eventId: 'ev-3', at: T0 + 20, state: 'dead', status: 404, error: 'HTTP 404' },
        { eventId: 'nope', at: T0 + 20, state: 'dead', error: 'ignored' },
      ]);
      const e1 = await c.getCallback('ev-1');
      assert.equal(e1?.state, 'delivered');
      assert.equal(e1?.lastStatus, 200);
      const e2 = await c.getCallback('ev-2');
      assert.equal(e2?.state, 'pending');
      assert.equal(e2?.nextAttemptAt, T0 + 5000);
      assert.equal(e2?.attempts, 1);
      assert.ok(e2!.lastError!.length <= 500, 'errors are clipped');
      assert.equal((await c.getCallback('ev-3'))?.lastError, 'HTTP 404');
      assert.equal(await c.nextCallbackDueAt(), T0 + 5000);
      assert.deepEqual(await c.countCallbacks(), {
        pending: 1,
        delivering: 1,
        delivered: 1,
        dead: 1,
      });

      // a crash leaves ev-4 delivering: release puts it back, due now, attempt kept
      assert.equal(await c.releaseCallbacks(T0 + 30), 1);
      const e4 = await c.getCallback('ev-4');
      assert.deepEqual([e4?.state, e4?.attempts, e4?.nextAttemptAt], ['pending', 1, T0 + 30]);

      // an attempt cut short can be un-counted
      await c.claimCallbacks({ ...all, now: T0 + 40 });
      await c.completeCallbacks([
        {
          eventId: 'ev-4',
          at: T0 + 50,
          state: 'pending',
          nextAttemptAt: T0 + 50,
          error: 'shutdown',
          attempts: 1,
        },
      ]);
      assert.equal((await c.getCallback('ev-4'))?.attempts, 1);

      await c.enqueueCallbacks([callback(5, { domainName: 'Other.com' })]);
      await c.claimCallbacks({ ...all, now: T0 + 60 });
      await c.completeCallbacks([
        { eventId: 'ev-5', at: T0 + 70, state: 'dead', error: 'HTTP 400', status: 400 },
        { eventId: 'ev-4', at: T0 + 65, state: 'dead', error: 'gave up' },
      ]);
      const dead = await c.listCallbacks({ state: 'dead', offset: 0, limit: 2 });
      assert.equal(dead.total, 3);
      assert.deepEqual(
        dead.items.map((e) => e.eventId),
        ['ev-5', 'ev-4'],
      );
      const other = await c.listCallbacks({
        state: 'dead',
        domainName: 'OTHER.com',
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(
        other.items.map((e) => [e.eventId, e.domainName]),
        [['ev-5', 'other.com']],
      );
      assert.equal(
        await c.redeliverCallbacks({ eventIds: ['ev-3', 'ev-1', 'missing'], now: T0 + 100 }),
        1,
      );
      const e3 = await c.getCallback('ev-3');
      assert.deepEqual([e3?.state, e3?.attempts, e3?.nextAttemptAt], ['pending', 0, T0 + 100]);
      assert.equal(await c.redeliverCallbacks({ domainName: 'other.com', now: T0 + 100 }), 1);
      assert.equal(await c.redeliverCallbacks({ now: T0 + 100 }), 1);
      assert.equal((await c.countCallbacks()).dead, 0);
    });

    it('prunes old delivered and dead callbacks, never pending ones', async () => {
      await c.enqueueCallbacks([1, 2, 3, 4].map((n) => callback(n)));
      await c.claimCallbacks({ now: T0 + 10, limit: 3, maxPerOrigin: 9, inFlight: new Map() });
      await c.completeCallbacks([
        { eventId: 'ev-1', at: T0 + 100, state: 'delivered', status: 204 },
        { eventId: 'ev-2', at: T0 + 5000, state: 'delivered', status: 204 },
        { eventId: 'ev-3', at: T0 + 100, state: 'dead', error: 'HTTP 410', status: 410 },
      ]);
      assert.equal(
        await c.pruneCallbacks({ deliveredBefore: T0 + 1000, deadBefore: T0 + 1000 }),
        2,
      );
      assert.deepEqual(await c.countCallbacks(), {
        pending: 1,
        delivering: 0,
        delivered: 1,
        dead: 0,
      });
    });

    it('keeps pending callbacks across a restart', async (t) => {
      if (!fx.reopen) {
        t.skip('in-memory implementation');
        return;
      }
      await c.insertSnapshotRecord(record(T0), [callback(1)]);
      await c.enqueueCallbacks([callback(2)]);
      await c.claimCallbacks({ now: T0 + 10, limit: 1, maxPerOrigin: 9, inFlight: new Map() });
      await c.close();
      c = await fx.reopen();
      await c.start();
      assert.deepEqual(await c.countCallbacks(), {
        pending: 1,
        delivering: 1,
        delivered: 0,
        dead: 0,
      });
      assert.equal(await c.releaseCallbacks(T0 + 20), 1);
      assert.equal((await c.getCallback('ev-1'))?.body, callback(1).body);
    });

    it('is idempotent to start and refuses calls once closed', async () => {
      await c.start();
      await c.close();
      await assert.rejects(c.getRule('example.com', 'live'));
      await c.start();
    });
  });
}

// ── the SQLite implementation, file-based and in memory ──

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

runCatalogContract('sqlite (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'livesnap-catalog-'));
  dirs.push(dir);
  const path = join(dir, 'nested', 'livesnap.db');
  return {
    catalog: new SqliteCatalog({ path }),
    reopen: async () => new SqliteCatalog({ path }),
  };
});

runCatalogContract('sqlite (:memory:)', async () => ({
  catalog: new SqliteCatalog({ path: ':memory:' }),
}));
