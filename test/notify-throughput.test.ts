import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SqliteCatalog } from '../src/catalog/sqlite-catalog.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log.js';
import { newCallbackEntry } from '../src/notify/callback-entries.js';
import { CallbackEvent, snapshotBody } from '../src/notify/callback-events.js';
import { Notifier } from '../src/notify/notifier.js';
import { startReceiver } from './support/callback-receiver.js';

const COUNT = 10_000;
const BATCH = 500;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function dbBytes(path: string): Promise<number> {
  let total = 0;
  for (const suffix of ['', '-wal'])
    total += await stat(path + suffix).then(
      (s) => s.size,
      () => 0,
    );
  return total;
}

test(`throughput and memory: ${COUNT} callbacks to a fast local receiver`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'livesnap-notify-tp-'));
  const path = join(dir, 'livesnap.db');
  const receiver = await startReceiver('ok');
  const catalog = new SqliteCatalog({ path });
  await catalog.start();
  try {
    const body = JSON.stringify(
      snapshotBody(
        {
          domainName: 'bench.example.com',
          appName: 'live',
          streamName: 'cam1',
          ossEndpoint: 'local',
          ossBucket: 'snaps',
          ossObject: 'snapshot/live/cam1/1763712000.jpg',
          createTimestamp: 1763712000123,
          isOverlay: false,
          width: 1920,
          height: 1080,
          size: 104857,
        },
        'http://livesnap.example.com:8080/storage/snaps/snapshot/live/cam1/1763712000.jpg',
      ),
    );
    const heap0 = heapUsed();
    const rss0 = process.memoryUsage().rss;
    const db0 = await dbBytes(path);
    for (let i = 0; i < COUNT; i += BATCH) {
      const batch = Array.from({ length: BATCH }, () =>
        newCallbackEntry({
          event: CallbackEvent.LiveSnapshot,
          domainName: 'bench.example.com',
          url: receiver.url(),
          body,
          now: Date.now(),
        }),
      );
      await catalog.enqueueCallbacks(batch);
    }
    const heapPerPending = (heapUsed() - heap0) / COUNT;
    const rssPerPending = (process.memoryUsage().rss - rss0) / COUNT;
    const dbPerPending = ((await dbBytes(path)) - db0) / COUNT;
    assert.equal((await catalog.countCallbacks()).pending, COUNT);

    const notifier = new Notifier({
      catalog,
      config: loadConfig({ env: {} }).notify, // defaults: 64 in flight, 4 per host
      logger: silentLogger(),
      publicUrl: () => 'http://livesnap.example.com:8080',
    });
    const started = performance.now();
    await notifier.start();
    await receiver.until('every callback', () => receiver.received.length >= COUNT, 120_000);
    const seconds = (performance.now() - started) / 1000;
    await notifier.close();
    const rate = COUNT / seconds;
    assert.equal(receiver.eventIds().size, COUNT);
    assert.equal((await catalog.countCallbacks()).delivered, COUNT);

    const report = {
      callbacks: COUNT,
      seconds: Number(seconds.toFixed(2)),
      callbacksPerSecond: Math.round(rate),
      heapBytesPerPending: Math.round(heapPerPending),
      rssBytesPerPending: Math.round(rssPerPending),
      sqliteBytesPerPending: Math.round(dbPerPending),
      bodyBytes: body.length,
    };
    t.diagnostic(JSON.stringify(report));
    if (process.env.LIVESNAP_TEST_REPORT) console.log(report);
    assert.ok(rate > 200, `at least 200 callbacks/s (got ${Math.round(rate)})`);
    assert.ok(heapPerPending < 256, `pending callbacks live in SQLite, not the heap`);
  } finally {
    await catalog.close();
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
