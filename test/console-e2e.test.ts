/**
 * The web console end to end in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core; no browser download): sign in, create a rule, push a stream, watch it on
 * the live page, find its snapshots, enlarge one, copy its URL, delete one and then many
 * (in batches of at most 200), and check each effect through the API. Bad input in forms
 * shows the API's own message. A second origin that is not a secure context
 * (`http://console.test`) proves the pure TypeScript HMAC-SHA1 fallback and the URL
 * re-basing. Screenshots of every page go to test-output/console/.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import RPCClient from '@alicloud/pop-core';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { startApp, TEST_KEY, waitFor, type Harness } from './support/app-harness.js';
import { generateClip } from './support/media.js';
import { pushWithNodeAv, type PushHandle } from './support/push.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'web');
const OUT = join(ROOT, 'test-output', 'console');
const DOMAIN = 'console.example.com';
const INSECURE_HOST = 'console.test';
const BULK = 1000;
const BULK_OBJECT = 'live/bulk/frame.jpg';

// Browser globals used inside page.evaluate() callbacks, which run in the page (this test
// project is type-checked without the DOM library).
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  activeElement: { classList: { contains(name: string): boolean } } | null;
};
declare const sessionStorage: Record<string, string>;
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const window: { isSecureContext: boolean };
type HTMLImageElement = { naturalWidth: number; complete: boolean };
type HTMLOptionElement = { value: string };

interface Item {
  OssBucket: string;
  OssObject: string;
  CreateTimestamp: number;
  IsOverlay: boolean;
  Url?: string;
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

/** Builds the console when web/dist is missing or older than its sources. */
async function ensureConsoleBuilt(): Promise<void> {
  const index = join(WEB, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(join(WEB, 'src')),
    newestMtime(join(WEB, 'index.html')),
    newestMtime(join(WEB, 'vite.config.mjs')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const { build } = await import('vite');
  await build({ configFile: join(WEB, 'vite.config.mjs'), logLevel: 'warn' });
}

function rpcWindow(): { StartTime: string; EndTime: string } {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { StartTime: iso(Date.now() - 3600_000), EndTime: iso(Date.now() + 3600_000) };
}

/** Every snapshot row of a stream in the last hour (none when the API does not know it). */
async function listAll(live: RPCClient, stream: string): Promise<Item[]> {
  const items: Item[] = [];
  let start = rpcWindow().StartTime;
  const end = rpcWindow().EndTime;
  for (;;) {
    let res: {
      NextStartTime?: string;
      LiveStreamSnapshotInfoList: { LiveStreamSnapshotInfo: Item[] };
    };
    try {
      res = (await live.request('DescribeLiveStreamSnapshotInfo', {
        DomainName: DOMAIN,
        AppName: 'live',
        StreamName: stream,
        StartTime: start,
        EndTime: end,
        Limit: 100,
      })) as typeof res;
    } catch (err) {
      if ((err as { code?: string }).code === 'InvalidStream.NotFound') return items;
      throw err;
    }
    items.push(...res.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo);
    if (!res.NextStartTime) return items;
    start = res.NextStartTime;
  }
}

/** The API's error message for a call (what the console must show verbatim). */
async function apiMessage(live: RPCClient, action: string, params: object): Promise<string> {
  try {
    await live.request(action, params, { method: 'POST' });
  } catch (err) {
    return (err as { data: { Message: string } }).data.Message;
  }
  throw new Error(`${action} unexpectedly succeeded`);
}

/** The form parameters of an RPC request the console sent. */
function rpcParams(req: Request): URLSearchParams {
  return new URLSearchParams(req.postData() ?? '');
}

describe(
  'web console in headless Chromium',
  {
    skip:
      !existsSync(CHROMIUM) &&
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the console tests`,
  },
  () => {
    let h: Harness;
    let context: BrowserContext;
    let page: Page;
    let userDataDir: string;
    let push: PushHandle | undefined;
    const requests: Request[] = [];
    const pageErrors: string[] = [];

    const shot = async (name: string, opts: { fullPage?: boolean; phone?: boolean } = {}) => {
      if (opts.phone) {
        const size = page.viewportSize()!;
        await page.setViewportSize({ width: 390, height: 844 });
        await page.waitForTimeout(150);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 0, `${name}: the page scrolls sideways at 390 px (${overflow} px)`);
        await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: opts.fullPage ?? false });
        await page.setViewportSize(size);
        return;
      }
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: opts.fullPage ?? false });
    };

    const rpcCalls = (action: string) =>
      requests.filter((r) => r.method() === 'POST' && rpcParams(r).get('Action') === action);

    before(async () => {
      await ensureConsoleBuilt();
      await mkdir(OUT, { recursive: true });
      h = await startApp();
      userDataDir = await mkdtemp(join(tmpdir(), 'livesnap-chromium-'));
      const { chromium } = await import('playwright-core');
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          // a name that is not a secure context, for the fallback signer (no DNS involved)
          `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`,
        ],
        viewport: { width: 1280, height: 860 },
        permissions: ['clipboard-read', 'clipboard-write'],
      });
      context.on('request', (r) => requests.push(r));
      page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (e) => pageErrors.push(e.message));
    });

    after(async () => {
      await push?.stop();
      await context?.close();
      await h?.close();
      if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    });

    test('sign-in: a wrong secret shows the API message; the right one signs in', async () => {
      await page.goto(`${h.httpUrl}/console/`);
      await page.getByLabel('AccessKeyId').waitFor();
      await shot('01-sign-in');

      await page.getByLabel('AccessKeyId').fill(TEST_KEY.accessKeyId);
      await page.getByLabel('AccessKeySecret').fill('not-the-secret');
      const answer = page.waitForResponse((r) => r.url() === `${h.httpUrl}/`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const wrong = (await (await answer).json()) as { Code: string; Message: string };
      assert.equal(wrong.Code, 'SignatureDoesNotMatch');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.equal(await alert.locator('.error-message').textContent(), wrong.Message);
      assert.match((await alert.textContent()) ?? '', /SignatureDoesNotMatch/);
      await shot('02-sign-in-error');

      await page.getByLabel('AccessKeySecret').fill(TEST_KEY.accessKeySecret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Console' }).waitFor();
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Snapshots');
      const stored = await page.evaluate(() => Object.keys(sessionStorage));
      assert.deepEqual(stored, ['livesnap.console.credentials']);
    });

    test('settings: bad input shows the API message verbatim; a rule is created', async () => {
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByRole('heading', { name: 'Snapshot settings' }).waitFor();
      await page.getByLabel('Streaming domain').fill(DOMAIN);
      await page.getByRole('button', { name: 'Show settings' }).click();
      await page.getByText('No snapshot rules yet').waitFor();

      await page.getByRole('button', { name: 'Add rule' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a snapshot rule' });
      await dialog.waitFor();
      await dialog.getByLabel('AppName').fill('live');
      await dialog.getByLabel('Snapshot interval (seconds)').fill('2');
      await dialog.getByLabel('Bucket (OssBucket)').fill('shots');
      await dialog.getByLabel('Sequence object name').fill('{AppName}/{StreamName}/{Sequence}.jpg');
      await dialog.getByRole('button', { name: 'Add rule' }).click();
      const expected = await apiMessage(h.live, 'AddLiveAppSnapshotConfig', {
        DomainName: DOMAIN,
        AppName: 'live',
        TimeInterval: 2,
        OssEndpoint: 'local',
        OssBucket: 'shots',
        OverwriteOssObject: '{AppName}/{StreamName}.jpg',
        SequenceOssObject: '{AppName}/{StreamName}/{Sequence}.jpg',
      });
      const message = dialog.locator('.error-message');
      await message.waitFor();
      assert.equal(await message.textContent(), expected);
      assert.equal(
        await dialog.getByLabel('Snapshot interval (seconds)').getAttribute('aria-invalid'),
        'true',
      );
      await shot('03-rule-error');

      // a sequence name without {UnixTimestamp} or {Sequence}: the API's naming message
      await dialog.getByLabel('Snapshot interval (seconds)').fill('5');
      await dialog.getByLabel('Sequence object name').fill('{AppName}/{StreamName}.jpg');
      await dialog.getByRole('button', { name: 'Add rule' }).click();
      const naming = await apiMessage(h.live, 'AddLiveAppSnapshotConfig', {
        DomainName: DOMAIN,
        AppName: 'live',
        TimeInterval: 5,
        OssEndpoint: 'local',
        OssBucket: 'shots',
        SequenceOssObject: '{AppName}/{StreamName}.jpg',
      });
      await waitFor('the naming message', async () =>
        (await message.textContent()) === naming ? true : undefined,
      );

      await dialog.getByLabel('Sequence object name').fill('{AppName}/{StreamName}/{Sequence}.jpg');
      await dialog.getByRole('button', { name: 'Add rule' }).click();
      await dialog.waitFor({ state: 'detached' });
      const row = page.getByRole('row', { name: /^live/ });
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /5 s.*local \/ shots/);
      const rules = (await h.live.request('DescribeLiveSnapshotConfig', {
        DomainName: DOMAIN,
      })) as {
        LiveStreamSnapshotConfigList: { LiveStreamSnapshotConfig: Array<Record<string, unknown>> };
      };
      const rule = rules.LiveStreamSnapshotConfigList.LiveStreamSnapshotConfig[0]!;
      assert.deepEqual(
        [rule.AppName, rule.TimeInterval, rule.OssEndpoint, rule.OssBucket],
        ['live', 5, 'local', 'shots'],
      );
      assert.equal(rule.OverwriteOssObject, '{AppName}/{StreamName}.jpg');
      assert.equal(rule.SequenceOssObject, '{AppName}/{StreamName}/{Sequence}.jpg');

      // callback signing: a short key is refused with the API's message, a good one is saved
      const signing = page.getByRole('region', { name: 'Callback signing' });
      await signing.getByLabel('Yes').check();
      await signing.getByLabel('Signing key').fill('short');
      await signing.getByRole('button', { name: 'Save signing' }).click();
      const authMessage = await apiMessage(h.live, 'SetSnapshotCallbackAuth', {
        DomainName: DOMAIN,
        CallbackReqAuth: 'yes',
        CallbackAuthKey: 'short',
      });
      await signing.locator('.error-message').waitFor();
      assert.equal(await signing.locator('.error-message').textContent(), authMessage);
      await signing.getByLabel('Signing key').fill('abcdef0123456789XYZ');
      await signing.getByRole('button', { name: 'Save signing' }).click();
      await signing.locator('.error-message').waitFor({ state: 'detached' });
      const auth = (await h.live.request('QuerySnapshotCallbackAuth', { DomainName: DOMAIN })) as {
        CallbackReqAuth: string;
        CallbackAuthKey: string;
      };
      assert.deepEqual(
        [auth.CallbackReqAuth, auth.CallbackAuthKey],
        ['yes', 'abcdef0123456789XYZ'],
      );

      // the notification URL: a non-http URL gets the API's message
      const notify = page.getByRole('region', { name: 'Notifications' });
      await notify.getByLabel('Notification URL').fill('ftp://example.com/hook');
      await notify.getByRole('button', { name: 'Set URL' }).click();
      const notifyMessage = await apiMessage(h.live, 'AddLiveSnapshotNotifyConfig', {
        DomainName: DOMAIN,
        NotifyUrl: 'ftp://example.com/hook',
      });
      await notify.locator('.error-message').waitFor();
      assert.equal(await notify.locator('.error-message').textContent(), notifyMessage);
      await notify.getByLabel('Notification URL').fill('');
      await shot('04-settings', { fullPage: true });
      await shot('04-settings-phone', { phone: true, fullPage: true });
    });

    test('live streams: codec, size, keyframe interval, counts, and a latest snapshot that refreshes', async () => {
      const clip = await generateClip({
        codec: 'h264',
        width: 480,
        height: 270,
        fps: 25,
        frames: 25 * 22,
        gop: 25,
      });
      push = pushWithNodeAv(clip, h.rtmpUrl('live', 'cam1', DOMAIN), { realtime: true });

      await page.getByRole('link', { name: 'Live streams', exact: true }).click();
      const card = page.locator(`[data-stream="${DOMAIN}/live/cam1"]`);
      await card.waitFor({ timeout: 20_000 });
      const thumb = card.locator('.stream-media img');
      await thumb.waitFor({ timeout: 20_000 });
      await waitFor('the latest snapshot to load', () =>
        thumb.evaluate((img: HTMLImageElement) => (img.naturalWidth > 0 ? true : undefined)),
      );
      assert.match((await card.locator('.video').textContent()) ?? '', /^H264, 480×270/);
      await waitFor('the keyframe interval', async () =>
        (await card.locator('.gop').textContent()) === '1 s' ? true : undefined,
      );
      const taken = async () =>
        Number(/^(\d+)/.exec((await card.locator('.taken').textContent()) ?? '')?.[1]);
      const firstCount = await taken();
      const firstSrc = await thumb.getAttribute('src');
      assert.ok(firstCount >= 1);
      await shot('05-live-streams');
      await shot('05-live-streams-phone', { phone: true });

      // without any click: the counts and the latest snapshot update by themselves
      await waitFor(
        'the next snapshot to show up',
        async () =>
          (await taken()) > firstCount && (await thumb.getAttribute('src')) !== firstSrc
            ? true
            : undefined,
        20_000,
      );
      await push.done;
      push = undefined;
      await waitFor('the stream to end', () =>
        h.app.hub.get({ domain: DOMAIN, app: 'live', stream: 'cam1' }) ? undefined : true,
      );
      await waitFor('captures to settle', () =>
        h.app.engine.status().some((s) => s.stream === 'cam1') ? undefined : true,
      );
      // keep a copy of the overwrite object for the rows made up later
      const dest = join(h.dataDir, 'storage', 'shots', BULK_OBJECT);
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(join(h.dataDir, 'storage', 'shots', 'live', 'cam1.jpg'), dest);
    });

    test('snapshots: search, grid, enlarge, keyboard, copy the URL, delete one', async () => {
      const items = await listAll(h.live, 'cam1');
      const captures = [...new Set(items.map((i) => i.CreateTimestamp))].sort((a, b) => b - a);
      assert.ok(captures.length >= 4, `${captures.length} captures`);

      await page.getByRole('link', { name: 'Snapshots', exact: true }).click();
      await page.getByRole('heading', { name: 'Snapshots', level: 1 }).waitFor();
      const search = page.getByRole('search', { name: 'Find snapshots' });
      await search.getByLabel('Domain').fill(DOMAIN);
      await search.getByLabel('AppName').fill('live');
      // StreamName suggestions include the stream seen on the live page
      const suggestions = await search
        .locator('datalist option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      assert.ok(suggestions.includes('cam1'), `suggestions: ${suggestions.join(', ')}`);
      await search.getByLabel('StreamName').fill('cam1');
      await search.getByLabel('Time range').selectOption('1h');
      await search.getByRole('button', { name: 'Search' }).click();

      const tiles = page.locator('.grid .tile');
      await waitFor('the tiles', async () =>
        (await tiles.count()) === captures.length ? true : undefined,
      );
      // newest first, one tile per capture time
      const shown = await tiles.evaluateAll((ts) =>
        ts.map((t) => Number(t.getAttribute('data-ts'))),
      );
      assert.deepEqual(shown, captures);
      await waitFor('the thumbnails to load', () =>
        tiles
          .locator('img')
          .evaluateAll((imgs) =>
            imgs.every(
              (i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0,
            )
              ? true
              : undefined,
          ),
      );
      await shot('06-snapshots');
      await shot('06-snapshots-phone', { phone: true, fullPage: true });

      // enlarge the first: a modal dialog with the full image, arrows step, Escape closes
      const firstThumb = tiles.first().locator('.thumb');
      await firstThumb.click();
      const viewer = page.locator('dialog.viewer');
      await viewer.waitFor();
      await waitFor('the large image', () =>
        viewer
          .locator('img')
          .evaluate((i: HTMLImageElement) => (i.naturalWidth === 480 ? true : undefined)),
      );
      const title1 = await viewer.locator('h2').textContent();
      await shot('07-viewer');
      await page.keyboard.press('ArrowRight');
      await waitFor('the next snapshot', async () =>
        (await viewer.locator('h2').textContent()) !== title1 ? true : undefined,
      );
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Escape');
      await viewer.waitFor({ state: 'detached' });
      // focus comes back in the dialog's cleanup, which may run just after it detaches
      await page
        .waitForFunction(() => document.activeElement?.classList.contains('thumb') === true, null, {
          timeout: 2000,
        })
        .catch(() => assert.fail('focus returns to the thumbnail'));

      // copy the URL of the first: the clipboard holds a working signed URL of that object
      await tiles
        .first()
        .getByRole('button', { name: /Copy the URL/ })
        .click();
      await page.getByRole('status').filter({ hasText: 'URL copied.' }).waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      const first = items.find((i) => i.CreateTimestamp === captures[0] && !i.IsOverlay)!;
      assert.equal(new URL(copied).pathname, new URL(first.Url!).pathname);
      const got = await fetch(copied);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-type'), 'image/jpeg');

      // delete the first (with its file)
      const file = join(h.dataDir, 'storage', first.OssBucket, first.OssObject);
      assert.ok(existsSync(file));
      await tiles
        .first()
        .getByRole('button', { name: /^Delete the snapshot/ })
        .click();
      const confirm = page.getByRole('dialog', { name: 'Delete this snapshot?' });
      await confirm.waitFor();
      assert.match((await confirm.textContent()) ?? '', /image files are removed/);
      await confirm.getByRole('button', { name: 'Delete snapshot' }).click();
      await confirm.waitFor({ state: 'detached' });
      await page
        .getByRole('status')
        .filter({ hasText: /Deleted 1 snapshot and their image files/ })
        .waitFor();
      await waitFor('the tile to go', async () =>
        (await tiles.count()) === captures.length - 1 ? true : undefined,
      );
      const after1 = await listAll(h.live, 'cam1');
      assert.ok(!after1.some((i) => i.CreateTimestamp === captures[0]), 'gone from the API');
      assert.equal(existsSync(file), false, 'its file is gone');
    });

    test('snapshots: select many, confirm, batch-delete; gone from the API too', async () => {
      const tiles = page.locator('.grid .tile');
      const before = await listAll(h.live, 'cam1');
      const sequenceFiles = before
        .filter((i) => !i.IsOverlay)
        .map((i) => join(h.dataDir, 'storage', i.OssBucket, i.OssObject));
      assert.ok(sequenceFiles.every((f) => existsSync(f)));

      await page.getByLabel('Select all loaded').check();
      const count = await tiles.count();
      assert.equal(await page.locator('.tile-selected').count(), count);
      await page.getByRole('button', { name: 'Delete selected' }).click();
      const confirm = page.getByRole('dialog', { name: `Delete ${count} snapshots?` });
      await confirm.waitFor();
      assert.match((await confirm.textContent()) ?? '', /image files are removed/);
      await shot('08-batch-delete-confirm');
      await confirm.getByRole('button', { name: `Delete ${count} snapshots` }).click();
      await confirm.waitFor({ state: 'detached' });
      await waitFor('the grid to empty', async () =>
        (await tiles.count()) === 0 ? true : undefined,
      );
      assert.deepEqual(await listAll(h.live, 'cam1'), [], 'no rows left in the API');
      assert.ok(
        sequenceFiles.every((f) => !existsSync(f)),
        'the files are gone',
      );
    });

    test('thousands of snapshots: pages through NextStartTime, batch delete in batches of ≤ 200 keeping files', async () => {
      // one real JPEG object (kept from cam1), referenced by BULK rows one second apart
      const dest = join(h.dataDir, 'storage', 'shots', BULK_OBJECT);
      const object = BULK_OBJECT;
      const now = Date.now();
      for (let i = 0; i < BULK; i++) {
        await h.app.catalog.insertSnapshotRecord({
          domainName: DOMAIN,
          appName: 'live',
          streamName: 'bulk',
          ossEndpoint: 'local',
          ossBucket: 'shots',
          ossObject: object,
          createTimestamp: now - (BULK - i) * 1000 - 123,
          isOverlay: false,
          width: 480,
          height: 270,
          size: 1000,
        });
      }

      const search = page.getByRole('search', { name: 'Find snapshots' });
      await search.getByLabel('StreamName').fill('bulk');
      await search.getByLabel('Per request').selectOption('100');
      const callsBefore = rpcCalls('DescribeLiveStreamSnapshotInfo').length;
      await search.getByRole('button', { name: 'Search' }).click();
      const tiles = page.locator('.grid .tile');
      await tiles.first().waitFor();
      await shot('09-many-snapshots');
      // scrolling to the end keeps loading pages until everything is there
      const started = Date.now();
      await waitFor(
        'every page',
        async () => {
          await page.keyboard.press('End');
          return (await tiles.count()) === BULK &&
            (await page.getByRole('button', { name: 'Load more' }).count()) === 0
            ? true
            : undefined;
        },
        60_000,
      );
      const loadMs = Date.now() - started;
      const calls = rpcCalls('DescribeLiveStreamSnapshotInfo').slice(callsBefore);
      assert.ok(calls.length >= BULK / 100, `${calls.length} calls`);
      for (const c of calls) assert.equal(rpcParams(c).get('Limit'), '100');
      // desc order: each further page ends (EndTime) where the previous one said (NextStartTime)
      const ends = calls.map((c) => Date.parse(rpcParams(c).get('EndTime')!));
      assert.ok(
        ends.slice(1).every((t, i) => t < ends[i]!),
        'EndTime moves back page by page',
      );
      assert.ok(loadMs < 30_000, `loading ${BULK} snapshots took ${loadMs} ms`);

      // select all, delete without files: 5 calls of ≤ 200 timestamps, RemoveFile=false
      const deletesBefore = rpcCalls('DeleteSnapshotFiles').length;
      await page.getByLabel('Select all loaded').check();
      await page.getByRole('button', { name: 'Delete selected' }).click();
      const confirm = page.getByRole('dialog', { name: `Delete ${BULK} snapshots?` });
      await confirm.waitFor();
      assert.match((await confirm.textContent()) ?? '', /in 5 batches of at most 200/);
      await confirm.getByLabel('Also delete the image files from storage').uncheck();
      assert.match((await confirm.textContent()) ?? '', /image files stay in storage/);
      await shot('10-batch-delete-keep-files');
      await confirm.getByRole('button', { name: `Delete ${BULK} snapshots` }).click();
      await confirm.waitFor({ state: 'detached', timeout: 60_000 });
      await waitFor('the grid to empty', async () =>
        (await tiles.count()) === 0 ? true : undefined,
      );
      const deletes = rpcCalls('DeleteSnapshotFiles').slice(deletesBefore);
      assert.equal(deletes.length, 5);
      for (const d of deletes) {
        const p = rpcParams(d);
        const n = [...p.keys()].filter((k) => k.startsWith('CreateTimestampList.')).length;
        assert.ok(n > 0 && n <= 200, `${n} timestamps in one call`);
        assert.equal(p.get('RemoveFile'), 'false');
      }
      assert.deepEqual(await listAll(h.live, 'bulk'), []);
      assert.ok(existsSync(dest), 'the file was kept');
    });

    test('an origin that is not a secure context: fallback signing, re-based image URLs, copy', async () => {
      // a few rows to look at
      for (let i = 0; i < 3; i++) {
        await h.app.catalog.insertSnapshotRecord({
          domainName: DOMAIN,
          appName: 'live',
          streamName: 'lan',
          ossEndpoint: 'local',
          ossBucket: 'shots',
          ossObject: BULK_OBJECT,
          createTimestamp: Date.now() - (i + 1) * 5000,
          isOverlay: false,
          width: 480,
          height: 270,
          size: 1000,
        });
      }
      const port = new URL(h.httpUrl).port;
      const lan = await context.newPage();
      lan.on('pageerror', (e) => pageErrors.push(e.message));
      await lan.goto(`http://${INSECURE_HOST}:${port}/console/snapshots`);
      assert.deepEqual(await lan.evaluate(() => [window.isSecureContext, typeof crypto.subtle]), [
        false,
        'undefined',
      ]);
      await lan.getByLabel('AccessKeyId').fill(TEST_KEY.accessKeyId);
      await lan.getByLabel('AccessKeySecret').fill(TEST_KEY.accessKeySecret);
      await lan.getByRole('button', { name: 'Sign in' }).click();
      await lan.getByRole('navigation', { name: 'Console' }).waitFor();
      const search = lan.getByRole('search', { name: 'Find snapshots' });
      await search.getByLabel('Domain').fill(DOMAIN);
      await search.getByLabel('AppName').fill('live');
      await search.getByLabel('StreamName').fill('lan');
      await search.getByRole('button', { name: 'Search' }).click();
      const img = lan.locator('.grid .tile img').first();
      await img.waitFor();
      assert.ok(
        (await img.getAttribute('src'))!.startsWith(`http://${INSECURE_HOST}:${port}/storage/`),
      );
      await waitFor('the image', () =>
        img.evaluate((i: HTMLImageElement) => (i.naturalWidth > 0 ? true : undefined)),
      );
      await lan
        .locator('.grid .tile')
        .first()
        .getByRole('button', { name: /Copy the URL/ })
        .click();
      await lan.getByRole('status').filter({ hasText: 'URL copied.' }).waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.ok(
        copied.startsWith(`http://${INSECURE_HOST}:${port}/storage/shots/live/bulk/frame.jpg?`),
      );
      await lan.close();
    });

    test('jobs: file jobs with status and results when the server runs them, else a note', async () => {
      const ice = new RPCClient({
        endpoint: h.httpUrl,
        apiVersion: '2020-11-09',
        accessKeyId: TEST_KEY.accessKeyId,
        accessKeySecret: TEST_KEY.accessKeySecret,
      });
      let offered = true;
      try {
        await ice.request('ListSnapshotJobs', { PageSize: 1 });
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (!['InvalidVersion', 'InvalidAction.NotFound'].includes(code)) throw err;
        offered = false;
      }
      if (!offered) {
        await page.getByRole('link', { name: 'Jobs', exact: true }).click();
        await page.getByRole('heading', { name: 'Coming with snapshot jobs' }).waitFor();
        await page.getByText('does not offer the snapshot job actions yet').waitFor();
        await shot('11-jobs');
        return;
      }

      const clip = await generateClip({
        codec: 'h264',
        width: 480,
        height: 270,
        fps: 25,
        frames: 250,
        gop: 25,
        container: 'mp4',
      });
      await mkdir(join(h.dataDir, 'storage', 'media'), { recursive: true });
      await copyFile(clip, join(h.dataDir, 'storage', 'media', 'console-clip.mp4'));
      const { JobId } = (await ice.request(
        'SubmitSnapshotJob',
        {
          Name: 'console-normal',
          Input: JSON.stringify({ Type: 'OSS', Media: 'oss://media/console-clip.mp4' }),
          Output: JSON.stringify({ Type: 'OSS', Media: 'oss://out/console/snap-{Count}.jpg' }),
          TemplateConfig: JSON.stringify({
            TemplateId: 'S00000002-000001',
            OverwriteParams: { Count: 3, Interval: 3, FrameType: 'normal', Time: 1000 },
          }),
        },
        { method: 'POST' },
      )) as { JobId: string };
      const done = await waitFor(
        'the job to finish',
        async () => {
          const r = (await ice.request('GetSnapshotJob', { JobId })) as {
            SnapshotJob: { Status: string; Message: string };
          };
          return r.SnapshotJob.Status === 'Init' ? undefined : r.SnapshotJob;
        },
        60_000,
      );
      assert.equal(done.Status, 'Success', done.Message);

      await page.getByRole('link', { name: 'Jobs', exact: true }).click();
      const row = page.locator(`tr[data-job="${JobId}"]`);
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /console-normal.*Normal.*Success/);
      await row.getByRole('button', { name: /^Details/ }).click();
      const details = page.getByRole('dialog', { name: 'Job console-normal' });
      await details.waitFor();
      const images = details.locator('.job-images img');
      await waitFor('the three results', () =>
        images.evaluateAll((imgs) =>
          imgs.length === 3 &&
          imgs.every(
            (i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth === 480,
          )
            ? true
            : undefined,
        ),
      );
      await shot('11-job-details');
      await page.keyboard.press('Escape');
      await details.waitFor({ state: 'detached' });
      await shot('11-jobs');
    });

    test('sign out clears the key; the secret was never in a URL or a request body', async () => {
      await shot('12-sign-in-phone-before-sign-out', { phone: true });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('AccessKeySecret').waitFor();
      assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage)), []);
      await page.reload();
      await page.getByLabel('AccessKeySecret').waitFor();
      await shot('13-signed-out-phone', { phone: true });

      const rpc = requests.filter((r) => r.method() === 'POST');
      assert.ok(rpc.length > 20);
      for (const r of requests) {
        assert.ok(!r.url().includes(TEST_KEY.accessKeySecret), `secret in ${r.url()}`);
        assert.ok(!(r.postData() ?? '').includes(TEST_KEY.accessKeySecret), 'secret in a body');
        if (!r.url().includes('/storage/')) assert.ok(!r.url().includes('Signature='), r.url());
      }
      assert.deepEqual(pageErrors, [], 'no script errors');
    });
  },
);
