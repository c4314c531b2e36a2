import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AccessKeyLookup } from '../src/api/request-auth.js';
import { buildHttpServer } from '../src/http/http-server.js';
import { signStorageUrl } from '../src/http/signed-url.js';
import { storageRoute } from '../src/http/storage-route.js';
import { silentLogger } from '../src/log.js';
import { LocalObjectStore } from '../src/storage/local-object-store.js';

/**
 * `/storage/<bucket>/<object>` on a listening server, with raw HTTP requests (so hostile
 * paths reach the server exactly as written): signed URLs, publicRead, HEAD, ranges,
 * conditional requests, traversal attempts, and the error envelopes.
 */

const KEY = { accessKeyId: 'LTAIstorage', accessKeySecret: 'storage-secret-1' };
const OFF = { accessKeyId: 'LTAIdisabled', accessKeySecret: 'disabled-secret' };
const lookup: AccessKeyLookup = async (id) =>
  id === KEY.accessKeyId
    ? { secret: KEY.accessKeySecret, active: true }
    : id === OFF.accessKeyId
      ? { secret: OFF.accessKeySecret, active: false }
      : undefined;

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 0xff, 0xd9]);
const ODD_NAME = 'dir/with space/ü~(x)+.jpg';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

function raw(
  base: string,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Path and query of a signed URL. */
function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

let dataDir: string;
let store: LocalObjectStore;
let privateApp: FastifyInstance;
let publicApp: FastifyInstance;
let privateBase: string;
let publicBase: string;

async function start(publicRead: boolean): Promise<[FastifyInstance, string]> {
  const app = buildHttpServer({ log: silentLogger() });
  await app.register(storageRoute, { store, accessKeys: lookup, publicRead });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return [app, `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`];
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'livesnap-http-storage-'));
  store = new LocalObjectStore({ dataDir, fsync: false });
  await store.put('snaps', 'live/cam1.jpg', JPEG);
  await store.put('snaps', ODD_NAME, JPEG);
  await store.put('other', 'secret.jpg', JPEG);
  // Files outside the bucket that traversal would reach.
  writeFileSync(join(dataDir, 'outside.txt'), 'outside');
  writeFileSync(join(dataDir, 'storage', 'loose.txt'), 'loose');
  mkdirSync(join(dataDir, 'storage', 'snaps', 'a'), { recursive: true });
  [privateApp, privateBase] = await start(false);
  [publicApp, publicBase] = await start(true);
});

after(async () => {
  await privateApp.close();
  await publicApp.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function signed(object: string, key = KEY, expiresIn = 60, now = Date.now(), bucket = 'snaps') {
  return pathOf(signStorageUrl('http://ignored', bucket, object, key, expiresIn, now));
}

function assertForbidden(res: RawResponse, message: RegExp): void {
  assert.equal(res.status, 403, res.body.toString());
  assert.equal(res.json.Code, 'Forbidden');
  assert.match(res.json.Message, message);
  assert.equal(typeof res.json.RequestId, 'string');
  assert.match(String(res.headers['content-type']), /^application\/json/);
}

describe('signed URLs', () => {
  it('serve the object with its headers', async () => {
    const res = await raw(privateBase, signed('live/cam1.jpg'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, JPEG);
    assert.equal(res.headers['content-type'], 'image/jpeg');
    assert.equal(res.headers['content-length'], String(JPEG.length));
    assert.ok(Date.parse(String(res.headers['last-modified'])) > 0);
    assert.match(String(res.headers.etag), /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('work for names that need percent-encoding, however the client encodes them', async () => {
    const path = signed(ODD_NAME);
    assert.equal((await raw(privateBase, path)).status, 200);
    // Same URL with `~` encoded, lowercase hex and an encoded '/'.
    const variant = path
      .replace('~', '%7E')
      .replace('%C3%BC', '%c3%bc')
      .replace('dir/with', 'dir%2Fwith');
    assert.notEqual(variant, path);
    const res = await raw(privateBase, variant);
    assert.equal(res.status, 200, res.body.toString());
    assert.deepEqual(res.body, JPEG);
  });

  it('answer HEAD with the headers and no body', async () => {
    const res = await raw(privateBase, signed('live/cam1.jpg'), 'HEAD');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(JPEG.length));
    assert.equal(res.headers['content-type'], 'image/jpeg');
    assert.equal(res.body.length, 0);
  });

  it('refuse expired, tampered, wrong-key, unknown-key and disabled-key requests', async () => {
    const get = (path: string) => raw(privateBase, path);
    assertForbidden(await get(signed('live/cam1.jpg', KEY, 10, Date.now() - 60_000)), /expired/);

    const good = signed('live/cam1.jpg');
    const u = new URL(`http://x${good}`);
    const expires = Number(u.searchParams.get('Expires'));
    assertForbidden(
      await get(good.replace(`Expires=${expires}`, `Expires=${expires + 3600}`)),
      /signature does not match/,
    );
    assertForbidden(
      await get(good.replace('/live/cam1.jpg', '/live/cam2.jpg')),
      /signature does not match/,
    );
    assertForbidden(
      await get(signed('secret.jpg').replace('/snaps/', '/other/')),
      /signature does not match/,
    );
    const wrongSecret = { ...KEY, accessKeySecret: 'not-the-secret' };
    assertForbidden(await get(signed('live/cam1.jpg', wrongSecret)), /signature does not match/);
    const unknown = { accessKeyId: 'LTAInobody', accessKeySecret: 'x' };
    assertForbidden(await get(signed('live/cam1.jpg', unknown)), /AccessKeyId is not found/);
    assertForbidden(await get(signed('live/cam1.jpg', OFF)), /AccessKeyId is disabled/);
    assertForbidden(await get(good.replace(/&Signature=[^&]*/, '')), /incomplete/);
    assertForbidden(
      await get(good.replace(`Expires=${expires}`, 'Expires=soon')),
      /Expires must be/,
    );
    assertForbidden(await get('/storage/snaps/live/cam1.jpg'), /Anonymous access/);
    const head = await raw(privateBase, '/storage/snaps/live/cam1.jpg', 'HEAD');
    assert.equal(head.status, 403);
    assert.equal(head.body.length, 0);
  });

  it('answer 404 NoSuchKey for a missing object or bucket, once authorized', async () => {
    for (const path of [
      signed('live/nope.jpg'),
      signed('x.jpg', KEY, 60, Date.now(), 'nobucket'),
    ]) {
      const res = await raw(privateBase, path);
      assert.equal(res.status, 404);
      assert.equal(res.json.Code, 'NoSuchKey');
    }
    const head = await raw(privateBase, signed('live/nope.jpg'), 'HEAD');
    assert.equal(head.status, 404);
    assert.equal(head.body.length, 0);
    // A directory is not an object.
    assert.equal((await raw(privateBase, signed('a'))).status, 404);
    // Unauthorized requests learn nothing about existence.
    assert.equal((await raw(privateBase, '/storage/snaps/live/nope.jpg')).status, 403);
  });
});

describe('publicRead', () => {
  it('serves anonymous requests', async () => {
    const res = await raw(publicBase, '/storage/snaps/live/cam1.jpg');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, JPEG);
    const head = await raw(publicBase, '/storage/snaps/live/cam1.jpg', 'HEAD');
    assert.equal(head.status, 200);
  });

  it('still checks signature parameters when they are given', async () => {
    const bad = signed('live/cam1.jpg', KEY, 10, Date.now() - 60_000);
    assertForbidden(await raw(publicBase, bad), /expired/);
  });
});

describe('hostile paths', () => {
  const paths = [
    '/storage/snaps/../outside.txt',
    '/storage/snaps/a/../../outside.txt',
    '/storage/snaps/%2e%2e/outside.txt',
    '/storage/snaps/.%2E/loose.txt',
    '/storage/snaps/a/..%2F..%2F..%2Foutside.txt',
    '/storage/snaps/a%5C..%5C..%5Cloose.txt',
    '/storage/snaps/a\\..\\..\\loose.txt',
    '/storage/snaps/live/cam1.jpg%00.txt',
    '/storage/snaps/%00',
    '/storage/snaps/./live/cam1.jpg',
    '/storage/snaps//live/cam1.jpg',
    '/storage/snaps/live/',
    '/storage/snaps/',
    '/storage/snaps',
    '/storage/snaps/%zz.jpg',
    '/storage/snaps/%C0%AE%C0%AE/outside.txt',
    '/storage/snaps/.lstmp-abc',
    '/storage/..%2Foutside.txt',
    '/storage/%2e%2e/outside.txt',
    '/storage/../outside.txt',
    '/storage/Snaps/live/cam1.jpg',
  ];

  for (const [name, base] of [
    ['private', () => privateBase],
    ['public', () => publicBase],
  ] as const) {
    it(`are refused with 400 and never escape the bucket (${name})`, async () => {
      for (const path of paths) {
        for (const method of ['GET', 'HEAD']) {
          const res = await raw(base(), path, method);
          assert.equal(res.status, 400, `${method} ${path}: ${res.status} ${res.body}`);
          if (method === 'GET') {
            assert.match(res.json.Code, /^Invalid(ObjectName|BucketName|Parameter)$/, path);
            // Malformed percent-encoding is refused by the router itself (InvalidParameter).
            assert.ok(res.json !== undefined, 'a JSON envelope, never file content');
          }
        }
      }
    });
  }
});

describe('ranges and revalidation', () => {
  const path = () => signed('live/cam1.jpg');

  it('serves single byte ranges', async () => {
    const first = await raw(privateBase, path(), 'GET', { range: 'bytes=0-3' });
    assert.equal(first.status, 206);
    assert.deepEqual(first.body, JPEG.subarray(0, 4));
    assert.equal(first.headers['content-range'], `bytes 0-3/${JPEG.length}`);
    assert.equal(first.headers['content-length'], '4');

    const suffix = await raw(privateBase, path(), 'GET', { range: 'bytes=-2' });
    assert.deepEqual(suffix.body, JPEG.subarray(-2));
    const open = await raw(privateBase, path(), 'GET', { range: 'bytes=10-' });
    assert.deepEqual(open.body, JPEG.subarray(10));

    const beyond = await raw(privateBase, path(), 'GET', { range: `bytes=${JPEG.length}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.json.Code, 'InvalidRange');
    assert.equal(beyond.headers['content-range'], `bytes */${JPEG.length}`);

    const several = await raw(privateBase, path(), 'GET', { range: 'bytes=0-1,4-5' });
    assert.equal(several.status, 200);
    assert.deepEqual(several.body, JPEG);
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since', async () => {
    const full = await raw(privateBase, path());
    const etag = String(full.headers.etag);
    const again = await raw(privateBase, path(), 'GET', { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const since = await raw(privateBase, path(), 'GET', {
      'if-modified-since': String(full.headers['last-modified']),
    });
    assert.equal(since.status, 304);
    const changed = await raw(privateBase, path(), 'GET', { 'if-none-match': 'W/"0-0"' });
    assert.equal(changed.status, 200);
  });
});
