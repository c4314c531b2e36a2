import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { CallbackEntryInput, Catalog } from '../src/catalog/catalog-types.js';
import { SqliteCatalog } from '../src/catalog/sqlite-catalog.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log.js';
import { newCallbackEntry } from '../src/notify/callback-entries.js';
import { CallbackEvent } from '../src/notify/callback-events.js';
import { registerCallbackActions } from '../src/notify/callback-actions.js';
import { HttpCallbackSender } from '../src/notify/callback-sender.js';
import { Notifier, type NotifyConfig } from '../src/notify/notifier.js';
import { startTestApi } from './support/api-client.js';
import { CallbackReceiver, startReceiver } from './support/callback-receiver.js';

const DOMAIN = 'example.com';
const KEY = 'abcdefgh12345678';

function notifyConfig(notify: Partial<NotifyConfig>): NotifyConfig {
  return loadConfig({ env: {}, overrides: { notify } }).notify;
}

interface Rig {
  catalog: Catalog;
  notifier: Notifier;
  close(): Promise<void>;
}

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function fileCatalog(): Promise<{ catalog: SqliteCatalog; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'livesnap-notify-'));
  dirs.push(dir);
  const path = join(dir, 'livesnap.db');
  const catalog = new SqliteCatalog({ path });
  await catalog.start();
  return { catalog, path };
}

async function rig(notify: Partial<NotifyConfig>, catalog?: Catalog): Promise<Rig> {
  const c = catalog ?? (await fileCatalog()).catalog;
  const notifier = new Notifier({
    catalog: c,
    config: notifyConfig(notify),
    logger: silentLogger(),
    publicUrl: () => 'http://snap.test',
  });
  await notifier.start();
  return {
    catalog: c,
    notifier,
    close: async () => {
      await notifier.close();
      if (!catalog) await c.close();
    },
  };
}

function entries(url: string, n: number, tag: string): CallbackEntryInput[] {
  return Array.from({ length: n }, (_, i) =>
    newCallbackEntry({
      event: CallbackEvent.LiveSnapshot,
      domainName: DOMAIN,
      url,
      body: JSON.stringify({ Event: 'LiveSnapshot', Tag: tag, N: i }),
      now: Date.now(),
    }),
  );
}

async function enqueue(r: Rig, list: CallbackEntryInput[]): Promise<void> {
  await r.catalog.enqueueCallbacks(list);
  r.notifier.wake();
}

describe('callback delivery', () => {
  test('hostile receivers do not hold up deliveries to a good one', async () => {
    const hostile = {
      stall: await startReceiver('stall'),
      trickleHeaders: await startReceiver('trickle-headers'),
      trickleBody: await startReceiver('trickle-body'),
      huge: await startReceiver('huge'),
      redirect: await startReceiver('redirect'),
      reset: await startReceiver('reset'),
    };
    const good = await startReceiver('ok');
    const r = await rig({
      timeoutMs: 2000,
      concurrency: 16,
      perHostConcurrency: 2,
      maxAttempts: 2,
      backoffBaseMs: 200,
      backoffCapMs: 400,
      maxBodyBytes: 64 * 1024,
    });
    try {
      // the hostile receivers' entries are older: they are first in line
      for (const [name, rec] of Object.entries(hostile))
        await enqueue(r, entries(rec.url(), 10, name));
      const started = Date.now();
      await enqueue(r, entries(good.url(), 40, 'good'));
      await good.until('40 callbacks at the good receiver', () => good.received.length >= 40, 5000);
      const tookMs = Date.now() - started;
      assert.ok(tookMs < 2000, `good receiver served within the hostile timeout (${tookMs} ms)`);
      assert.equal(good.eventIds().size, 40);

      // livesnap holds at most 2 connections per host; the receiver, in this same process,
      // may notice a connection livesnap dropped a moment after the next one is opened
      for (const [name, rec] of Object.entries(hostile)) {
        assert.ok(
          rec.maxOpenConnections <= 3,
          `${name}: at most 2 (+1 closing) connections at once, saw ${rec.maxOpenConnections}`,
        );
      }
      assert.equal(hostile.stall.maxOpenConnections, 2, 'a stalled host gets 2 connections');
      assert.equal(hostile.stall.received.length, 2, 'and nothing else while they stall');
      // redirects are not followed: one request per entry, dead at once
      await hostile.redirect.until(
        '10 redirect requests',
        () => hostile.redirect.received.length >= 10,
      );
      const dead = await waitForCount(r.catalog, 'dead', (n) => n >= 10);
      assert.ok(dead >= 10);
      const letters = await r.catalog.listCallbacks({ state: 'dead', offset: 0, limit: 100 });
      const redirectIds = new Set(hostile.redirect.received.map((x) => x.eventId));
      const redirected = letters.items.filter((e) => redirectIds.has(e.eventId));
      assert.equal(redirected.length, 10);
      for (const e of redirected) {
        assert.equal(e.lastStatus, 302);
        assert.match(e.lastError!, /redirects are not followed/);
        assert.equal(e.attempts, 1);
      }
      assert.equal(hostile.redirect.received.length, 10);

      // a huge 200 answer is delivered; at most maxBodyBytes of it were read
      await waitFor('huge entries delivered', async () => {
        const e = await r.catalog.listCallbacks({ state: 'delivered', offset: 0, limit: 1000 });
        return e.items.filter((x) => hostile.huge.eventIds().has(x.eventId)).length === 10;
      });

      // a receiver that never answers (or never finishes its headers) times out and is retried
      await waitFor('stalled attempts time out', async () => {
        const ids = hostile.stall.eventIds();
        for (const id of ids) {
          const e = await r.catalog.getCallback(id);
          if (e?.lastError?.startsWith('timeout')) return true;
        }
        return false;
      });
      const stats = r.notifier.stats;
      assert.ok(stats.inFlight <= 16, `in flight ${stats.inFlight}`);
    } finally {
      const closing = Date.now();
      await r.close();
      assert.ok(Date.now() - closing < 3000, 'close does not wait for hostile receivers');
      for (const rec of [...Object.values(hostile), good]) await rec.stop();
    }
  });

  test('the sender reads at most maxBodyBytes and never follows redirects', async () => {
    const huge = await startReceiver('huge');
    const redirect = await startReceiver('redirect');
    const sender = new HttpCallbackSender({
      timeoutMs: 2000,
      maxBodyBytes: 64 * 1024,
      perHostConcurrency: 2,
      concurrency: 4,
    });
    const signal = new AbortController().signal;
    try {
      const big = await sender.send({ url: huge.url(), headers: {}, body: '{}' }, signal);
      assert.equal(big.kind, 'response');
      assert.equal(big.kind === 'response' && big.status, 200);
      // one socket read may overshoot the limit by at most one chunk (64 KiB)
      assert.ok(big.bodyBytes! > 64 * 1024 && big.bodyBytes! <= 128 * 1024, `${big.bodyBytes}`);
      assert.ok(big.preview!.length <= 200);
      const moved = await sender.send({ url: redirect.url(), headers: {}, body: '{}' }, signal);
      assert.equal(moved.kind === 'response' && moved.status, 302);
      assert.equal(redirect.received.length, 1, 'not followed');
      const named = await sender.send(
        { url: redirect.url().replace('127.0.0.1', 'localhost'), headers: {}, body: '{}' },
        signal,
      );
      assert.equal(named.kind === 'response' && named.status, 302, JSON.stringify(named));
      const refused = await sender.send(
        { url: 'http://127.0.0.1:1/', headers: {}, body: '' },
        signal,
      );
      assert.deepEqual(refused, { kind: 'network', message: 'ECONNREFUSED' });
      const ftp = await sender.send({ url: 'ftp://127.0.0.1/', headers: {}, body: '' }, signal);
      assert.equal(ftp.kind, 'invalid');
    } finally {
      sender.close();
      await huge.stop();
      await redirect.stop();
    }
  });

  test('4xx is dead-lettered, listed and redelivered by the operator actions', async () => {
    const receiver = await startReceiver({ status: 404, body: 'no such hook' });
    const late: { notifier?: Notifier } = {};
    const api = await startTestApi({
      register: (registry, catalog) =>
        registerCallbackActions(registry, { catalog, wake: () => late.notifier?.wake() }),
    });
    const r = await rig({ maxAttempts: 5, backoffBaseMs: 50, backoffCapMs: 100 }, api.catalog);
    late.notifier = r.notifier;
    try {
      const list = entries(receiver.url('/hook'), 3, 'x');
      await enqueue(r, list);
      await waitForCount(r.catalog, 'dead', (n) => n === 3);
      assert.equal(receiver.received.length, 3, 'a 4xx is not retried');

      const res = await api.client.call('DescribeLivesnapCallbackDeadLetters', {
        DomainName: DOMAIN,
        PageSize: 2,
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.TotalCount, 3);
      assert.equal(res.body.PageSize, 2);
      const first = res.body.DeadLetters.DeadLetter[0];
      assert.equal(first.Url, receiver.url('/hook'));
      assert.equal(first.Attempts, 1);
      assert.equal(first.LastStatus, 404);
      assert.match(first.LastError, /HTTP 404: not retried no such hook/);
      assert.equal(JSON.parse(first.Body).Event, 'LiveSnapshot');
      assert.match(first.CreateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const page2 = await api.client.call('DescribeLivesnapCallbackDeadLetters', {
        PageNumber: 2,
        PageSize: 2,
      });
      assert.equal(page2.body.DeadLetters.DeadLetter.length, 1);
      const other = await api.client.call('DescribeLivesnapCallbackDeadLetters', {
        DomainName: 'other.example.com',
      });
      assert.equal(other.body.TotalCount, 0);

      // bad requests
      const none = await api.client.call('RedeliverLivesnapCallbacks', {});
      assert.equal(none.body.Code, 'MissingParameter');
      const both = await api.client.call('RedeliverLivesnapCallbacks', {
        EventId: [list[0]!.eventId],
        All: 'true',
      });
      assert.equal(both.body.Code, 'InvalidParameter');

      // the receiver is fixed: redeliver one by id, then the rest
      receiver.behaviour = 'ok';
      const one = await api.client.call('RedeliverLivesnapCallbacks', {
        EventId: [list[0]!.eventId, 'not-a-dead-letter'],
      });
      assert.equal(one.body.RedeliveredCount, 1);
      await receiver.until('redelivered one', () => receiver.received.length === 4, 5000);
      const again = receiver.received[3]!;
      assert.equal(again.eventId, list[0]!.eventId, 'same event id on redelivery');
      const rest = await api.client.call('RedeliverLivesnapCallbacks', {
        All: 'true',
        DomainName: DOMAIN,
      });
      assert.equal(rest.body.RedeliveredCount, 2);
      await receiver.until('redelivered all', () => receiver.received.length === 6, 5000);
      await waitForCount(r.catalog, 'delivered', (n) => n === 3);
      assert.equal((await r.catalog.countCallbacks()).dead, 0);
    } finally {
      await r.close();
      await api.close();
      await receiver.stop();
    }
  });

  test('429/503 are retried with the same event id, honouring Retry-After', async () => {
    const receiver = await startReceiver();
    let calls = 0;
    receiver.behaviour = () =>
      ++calls === 1
        ? { status: 503, headers: { 'retry-after': '1' } }
        : calls === 2
          ? { status: 429 }
          : 'ok';
    const r = await rig({ maxAttempts: 5, backoffBaseMs: 50, backoffCapMs: 2000 });
    try {
      const [entry] = entries(receiver.url(), 1, 'retry');
      await enqueue(r, [entry!]);
      await receiver.until('three attempts', () => receiver.received.length === 3, 10_000);
      const [a, b, c] = receiver.received;
      assert.deepEqual(
        [a!.eventId, b!.eventId, c!.eventId],
        [entry!.eventId, entry!.eventId, entry!.eventId],
      );
      assert.deepEqual(
        receiver.received.map((x) => x.headers['x-livesnap-attempt']),
        ['1', '2', '3'],
      );
      assert.ok(b!.receivedAt - a!.receivedAt >= 950, 'Retry-After: 1 honoured');
      await waitForCount(r.catalog, 'delivered', (n) => n === 1);
      const done = await r.catalog.getCallback(entry!.eventId);
      assert.equal(done?.attempts, 3);
    } finally {
      await r.close();
      await receiver.stop();
    }
  });

  test('signing follows the domain setting at send time; no other secrets are sent', async () => {
    const receiver = await startReceiver();
    const r = await rig({});
    try {
      await r.catalog.updateNotifySettings(DOMAIN, () => ({ authEnabled: true, authKey: KEY }), 1);
      const credentialed = receiver.url('/cb').replace('http://', 'http://user:pw@');
      await enqueue(r, entries(credentialed, 1, 'signed'));
      await receiver.until('signed callback', () => receiver.received.length === 1);
      const signed = receiver.received[0]!;
      assert.equal(CallbackReceiver.signatureValid(signed, KEY), true);
      assert.equal(signed.headers['authorization'], undefined, 'URL credentials are not sent');
      assert.equal(signed.headers['content-type'], 'application/json');
      assert.match(String(signed.headers['user-agent']), /^livesnap\//);
      assert.equal(signed.headers['x-livesnap-event'], 'LiveSnapshot');
      assert.ok(!signed.text.includes(KEY) && !JSON.stringify(signed.headers).includes(KEY));

      await r.catalog.updateNotifySettings(DOMAIN, () => ({ authEnabled: false, authKey: KEY }), 2);
      await enqueue(r, entries(receiver.url('/cb'), 1, 'unsigned'));
      await receiver.until('unsigned callback', () => receiver.received.length === 2);
      assert.equal(receiver.received[1]!.headers['ali-live-signature'], undefined);
    } finally {
      await r.close();
      await receiver.stop();
    }
  });

  test('entries a crash left delivering are delivered after a restart', async () => {
    const receiver = await startReceiver();
    const { catalog, path } = await fileCatalog();
    const list = entries(receiver.url(), 5, 'crash');
    await catalog.enqueueCallbacks(list);
    // a previous process claimed three and died without recording anything
    await catalog.claimCallbacks({
      now: Date.now(),
      limit: 3,
      maxPerOrigin: 9,
      inFlight: new Map(),
    });
    await catalog.close();
    const reopened = new SqliteCatalog({ path });
    await reopened.start();
    const r = await rig({}, reopened);
    try {
      await receiver.until('all five', () => receiver.eventIds().size === 5, 5000);
      assert.deepEqual([...receiver.eventIds()].sort(), list.map((e) => e.eventId).sort());
      await waitForCount(reopened, 'delivered', (n) => n === 5);
    } finally {
      await r.close();
      await reopened.close();
      await receiver.stop();
    }
  });

  test('callback URLs are validated when configured', async () => {
    const api = await startTestApi();
    try {
      const bad = [
        'ftp://cb.example.com/x',
        'javascript:alert(1)',
        'http://',
        '/relative/path',
        `http://cb.example.com/${'a'.repeat(480)}`,
      ];
      for (const url of bad) {
        const rule = await api.client.call('AddLiveAppSnapshotConfig', {
          DomainName: DOMAIN,
          AppName: 'live',
          TimeInterval: 5,
          OssEndpoint: 'local',
          OssBucket: 'snaps',
          OverwriteOssObject: '{AppName}/{StreamName}.jpg',
          Callback: url,
        });
        assert.equal(rule.status, 400, `Callback ${url}: ${rule.text}`);
        const notify = await api.client.call('AddLiveSnapshotNotifyConfig', {
          DomainName: DOMAIN,
          NotifyUrl: url,
        });
        assert.equal(notify.status, 400, `NotifyUrl ${url}: ${notify.text}`);
        assert.equal(notify.body.Code, 'MalformedParam');
      }
      assert.equal(await api.catalog.getRule(DOMAIN, 'live'), undefined);
      assert.equal(await api.catalog.getNotifySettings(DOMAIN), undefined);
      const ok = await api.client.call('AddLiveSnapshotNotifyConfig', {
        DomainName: DOMAIN,
        NotifyUrl: `https://cb.example.com/${'a'.repeat(476)}`, // 500 characters
      });
      assert.equal(ok.status, 200, ok.text);
    } finally {
      await api.close();
    }
  });
});

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForCount(
  catalog: Catalog,
  state: 'dead' | 'delivered' | 'pending',
  ok: (n: number) => boolean,
  ms = 15_000,
): Promise<number> {
  let n = 0;
  await waitFor(
    `${state} count`,
    async () => {
      n = (await catalog.countCallbacks())[state];
      return ok(n);
    },
    ms,
  );
  return n;
}
