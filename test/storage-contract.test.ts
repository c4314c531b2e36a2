/**
 * The object store contract: one suite every ObjectStore implementation must pass unchanged
 * (local directory now, S3-compatible later). Import runObjectStoreContract from another test
 * file to run it against another store; this file runs it against LocalObjectStore when it is
 * the entry point.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import { pathToFileURL } from 'node:url';
import type { ObjectStore } from '../src/storage/object-store-types.js';
import { LocalObjectStore } from '../src/storage/local-object-store.js';
import {
  InvalidBucketNameError,
  InvalidObjectKeyError,
  ObjectNotFoundError,
} from '../src/storage/storage-errors.js';

export interface ContractFixture {
  readonly store: ObjectStore;
  /** A bucket the suite may write to (keys are unique per test, under "contract-<n>/"). */
  readonly bucket: string;
  /** A valid bucket name that does not exist. */
  readonly missingBucket: string;
  teardown(): Promise<void>;
}

export const HOSTILE_KEYS: readonly string[] = [
  '',
  '.',
  '..',
  '../escape.jpg',
  'a/../../escape.jpg',
  'a/./b.jpg',
  'a/..',
  '/etc/passwd',
  '//double.jpg',
  'a//b.jpg',
  'dir/',
  'a\\..\\b.jpg',
  'nul\u0000byte.jpg',
  'new\nline.jpg',
  'tab\t.jpg',
  'del\u007f.jpg',
  'c1\u0085.jpg',
  'lone\ud800surrogate.jpg',
  '.lstmp-0123456789abcdef',
  'a/.lstmp-x',
  'x'.repeat(1025),
  `${'y'.repeat(256)}/z.jpg`,
  `${'é'.repeat(128)}.jpg`, // 256 + 4 bytes in one segment
];

export const HOSTILE_BUCKETS: readonly string[] = [
  '',
  'ab',
  'a'.repeat(64),
  'Snaps',
  'snaps_1',
  '-snaps',
  'snaps-',
  '../snaps',
  'sn/aps',
  'snaps.',
  'snäps',
];

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export function runObjectStoreContract(name: string, setup: () => Promise<ContractFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fx: ContractFixture;
    let store: ObjectStore;
    let bucket: string;
    let n = 0;
    /** A fresh key prefix per test. */
    const prefix = () => `contract-${++n}-${randomBytes(3).toString('hex')}/`;

    before(async () => {
      fx = await setup();
      store = fx.store;
      bucket = fx.bucket;
    });
    after(async () => {
      await fx.teardown();
    });

    it('has an endpoint name', () => {
      assert.equal(typeof store.name, 'string');
      assert.ok(store.name.length > 0);
    });

    it('put, get, head, getStream and delete one object', async () => {
      const key = `${prefix()}live/cam1.jpg`;
      const bytes = randomBytes(5000);
      const before = Date.now();
      const info = await store.put(bucket, key, bytes, { contentType: 'image/jpeg' });
      assert.equal(info.bucket, bucket);
      assert.equal(info.key, key);
      assert.equal(info.size, 5000);
      assert.equal(info.contentType, 'image/jpeg');
      assert.ok(Math.abs(info.lastModified.getTime() - before) < 60_000);

      const got = await store.get(bucket, key);
      assert.ok(got.body.equals(bytes));
      assert.equal(got.size, 5000);
      assert.equal(got.contentType, 'image/jpeg');

      const head = await store.head(bucket, key);
      assert.ok(head);
      assert.equal(head.size, 5000);
      assert.equal(head.key, key);

      const streamed = await store.getStream(bucket, key);
      assert.equal(streamed.size, 5000);
      assert.ok((await buffer(streamed.stream)).equals(bytes));

      const ranged = await store.getStream(bucket, key, { start: 100, end: 199 });
      assert.ok((await buffer(ranged.stream)).equals(bytes.subarray(100, 200)));
      const tail = await store.getStream(bucket, key, { start: 4990 });
      assert.ok((await buffer(tail.stream)).equals(bytes.subarray(4990)));
      await assert.rejects(store.getStream(bucket, key, { start: 6000 }), RangeError);

      assert.equal(await store.delete(bucket, key), true);
      assert.equal(await store.delete(bucket, key), false, 'delete is idempotent');
      assert.equal(await store.head(bucket, key), undefined);
      await assert.rejects(store.get(bucket, key), ObjectNotFoundError);
    });

    it('missing objects: head undefined, get/getStream ObjectNotFoundError, delete false', async () => {
      const key = `${prefix()}never/written.jpg`;
      assert.equal(await store.head(bucket, key), undefined);
      await assert.rejects(store.get(bucket, key), ObjectNotFoundError);
      await assert.rejects(store.getStream(bucket, key), ObjectNotFoundError);
      assert.equal(await store.delete(bucket, key), false);
      // A "directory" (a prefix of other keys) is not an object.
      const p = prefix();
      await store.put(bucket, `${p}dir/file.jpg`, Buffer.from('x'));
      assert.equal(await store.head(bucket, `${p}dir`), undefined);
      await assert.rejects(store.get(bucket, `${p}dir`), ObjectNotFoundError);
      assert.equal(await store.delete(bucket, `${p}dir`), false);
      assert.ok(await store.head(bucket, `${p}dir/file.jpg`));
    });

    it('overwrites an object with new content', async () => {
      const key = `${prefix()}overwrite.jpg`;
      await store.put(bucket, key, Buffer.from('first version, longer'));
      await store.put(bucket, key, Buffer.from('second'));
      assert.equal((await store.get(bucket, key)).body.toString(), 'second');
      assert.equal((await store.head(bucket, key))?.size, 6);
    });

    it('an overwritten object is never seen partially (concurrent readers)', async () => {
      const key = `${prefix()}atomic.jpg`;
      // Two versions of different sizes, each uniform, so any mix of them is detectable.
      const versions = [Buffer.alloc(1 << 20, 0x61), Buffer.alloc(700_000, 0x62)];
      const valid = new Set(versions.map(sha));
      await store.put(bucket, key, versions[0]!);
      let writing = true;
      let reads = 0;
      const reader = async (streaming: boolean) => {
        while (writing) {
          const body = streaming
            ? await buffer((await store.getStream(bucket, key)).stream)
            : (await store.get(bucket, key)).body;
          assert.ok(valid.has(sha(body)), `partial or mixed read of ${body.length} bytes`);
          reads++;
        }
      };
      const readers = [reader(false), reader(false), reader(true), reader(true)];
      for (let i = 0; i < 30; i++) await store.put(bucket, key, versions[(i + 1) % 2]!);
      writing = false;
      await Promise.all(readers);
      assert.ok(reads > 0);
      const page = await store.list(bucket, { prefix: key });
      assert.deepEqual(
        page.objects.map((o) => o.key),
        [key],
        'no temporary objects visible',
      );
    });

    it('concurrent puts of one key leave exactly one complete version', async () => {
      const key = `${prefix()}race.jpg`;
      const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(50_000 + i * 1000, i));
      await Promise.all(versions.map((v) => store.put(bucket, key, v)));
      const body = (await store.get(bucket, key)).body;
      assert.ok(versions.some((v) => v.equals(body)));
      assert.equal((await store.list(bucket, { prefix: key })).objects.length, 1);
    });

    it('stores empty and large objects', async () => {
      const p = prefix();
      await store.put(bucket, `${p}empty.jpg`, Buffer.alloc(0));
      assert.equal((await store.head(bucket, `${p}empty.jpg`))?.size, 0);
      assert.equal((await store.get(bucket, `${p}empty.jpg`)).body.length, 0);
      assert.equal(await text((await store.getStream(bucket, `${p}empty.jpg`)).stream), '');

      const large = randomBytes(24 << 20);
      const info = await store.put(bucket, `${p}large.bin`, large);
      assert.equal(info.size, large.length);
      assert.equal(sha((await store.get(bucket, `${p}large.bin`)).body), sha(large));
      const streamed = await store.getStream(bucket, `${p}large.bin`);
      assert.equal(sha(await buffer(streamed.stream)), sha(large));
    });

    it('accepts Unicode keys and lists in UTF-8 byte order', async () => {
      const p = prefix();
      const keys = [
        `${p}摄像头/画面 1.jpg`,
        `${p}emoji/\u{1f600}.jpg`,
        `${p}emoji/\ufffd.jpg`,
        `${p}accents/caf\u00e9.jpg`, // NFC
        `${p}accents/cafe\u0301.jpg`, // NFD: a different key
        `${p}odd name (1) + [x] & y=z.jpg`,
      ];
      for (const [i, key] of keys.entries()) await store.put(bucket, key, Buffer.from([i]));
      for (const [i, key] of keys.entries()) {
        assert.deepEqual([...(await store.get(bucket, key)).body], [i], key);
      }
      const listed = (await store.list(bucket, { prefix: p })).objects.map((o) => o.key);
      const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      assert.deepEqual(listed, byBytes);
      // U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80) in UTF-8, unlike UTF-16.
      assert.ok(listed.indexOf(`${p}emoji/\ufffd.jpg`) < listed.indexOf(`${p}emoji/\u{1f600}.jpg`));
    });

    it('lists by prefix, in order, in pages that return every object exactly once', async () => {
      const p = prefix();
      const keys = [
        'a/1.jpg',
        'a/2.jpg',
        'a/b/3.jpg',
        'a/b/c/4.jpg',
        'ab.jpg',
        'b/5.jpg',
        'b-6.jpg',
        'z.jpg',
      ].map((k) => p + k);
      for (const key of keys) await store.put(bucket, key, Buffer.from(key));

      const all = await store.list(bucket, { prefix: p });
      assert.deepEqual(
        all.objects.map((o) => o.key),
        [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
      );
      assert.equal(all.nextStartAfter, undefined);
      for (const o of all.objects) {
        assert.equal(o.bucket, bucket);
        assert.equal(o.size, Buffer.byteLength(o.key));
      }

      const underA = await store.list(bucket, { prefix: `${p}a/` });
      assert.deepEqual(
        underA.objects.map((o) => o.key.slice(p.length)),
        ['a/1.jpg', 'a/2.jpg', 'a/b/3.jpg', 'a/b/c/4.jpg'],
      );
      const startingA = await store.list(bucket, { prefix: `${p}a` });
      assert.equal(startingA.objects.length, 5, 'a plain string prefix, not a directory');
      const partial = await store.list(bucket, { prefix: `${p}a/b/` });
      assert.equal(partial.objects.length, 2);
      assert.equal((await store.list(bucket, { prefix: `${p}nothing` })).objects.length, 0);

      for (const limit of [1, 3, 7, 8, 100]) {
        const seen: string[] = [];
        let startAfter: string | undefined;
        let pages = 0;
        do {
          const page = await store.list(bucket, { prefix: p, limit, startAfter });
          assert.ok(page.objects.length <= limit);
          seen.push(...page.objects.map((o) => o.key));
          startAfter = page.nextStartAfter;
          assert.ok(++pages <= keys.length + 1, 'paging terminates');
        } while (startAfter !== undefined);
        assert.deepEqual(
          seen,
          all.objects.map((o) => o.key),
          `limit ${limit}`,
        );
      }
      const afterB = await store.list(bucket, { prefix: p, startAfter: `${p}b-6.jpg` });
      assert.deepEqual(
        afterB.objects.map((o) => o.key.slice(p.length)),
        ['b/5.jpg', 'z.jpg'],
      );
    });

    it('deleting objects removes them from listings', async () => {
      const p = prefix();
      await store.put(bucket, `${p}x/1.jpg`, Buffer.from('1'));
      await store.put(bucket, `${p}x/y/2.jpg`, Buffer.from('2'));
      assert.equal(await store.delete(bucket, `${p}x/y/2.jpg`), true);
      assert.deepEqual(
        (await store.list(bucket, { prefix: p })).objects.map((o) => o.key),
        [`${p}x/1.jpg`],
      );
      // The key's former "directory" can be an object now, and again a prefix.
      await store.put(bucket, `${p}x/y`, Buffer.from('now a file'));
      assert.equal((await store.get(bucket, `${p}x/y`)).body.toString(), 'now a file');
    });

    it('an unknown bucket does not exist and lists as empty', async () => {
      assert.equal(await store.bucketExists(fx.missingBucket), false);
      assert.deepEqual((await store.list(fx.missingBucket)).objects, []);
      assert.equal(await store.head(fx.missingBucket, 'a.jpg'), undefined);
      assert.equal(await store.delete(fx.missingBucket, 'a.jpg'), false);
      await store.put(bucket, `${prefix()}exists.jpg`, Buffer.from('x'));
      assert.equal(await store.bucketExists(bucket), true);
    });

    it('rejects hostile keys with InvalidObjectKeyError before touching storage', async () => {
      const p = prefix();
      await store.put(bucket, `${p}kept.jpg`, Buffer.from('kept'));
      for (const key of HOSTILE_KEYS) {
        const label = JSON.stringify(key.slice(0, 40));
        await assert.rejects(
          store.put(bucket, key, Buffer.from('x')),
          InvalidObjectKeyError,
          label,
        );
        await assert.rejects(store.get(bucket, key), InvalidObjectKeyError, label);
        await assert.rejects(store.getStream(bucket, key), InvalidObjectKeyError, label);
        await assert.rejects(store.head(bucket, key), InvalidObjectKeyError, label);
        await assert.rejects(store.delete(bucket, key), InvalidObjectKeyError, label);
        const relative = `${p}${key}`;
        if (key !== '' && !key.startsWith('/')) {
          await assert.rejects(
            store.put(bucket, relative, Buffer.from('x')),
            InvalidObjectKeyError,
            `${p} + ${label}`,
          );
        }
      }
      assert.deepEqual(
        (await store.list(bucket, { prefix: p })).objects.map((o) => o.key),
        [`${p}kept.jpg`],
      );
    });

    it('rejects hostile bucket names with InvalidBucketNameError', async () => {
      for (const b of HOSTILE_BUCKETS) {
        await assert.rejects(store.put(b, 'a.jpg', Buffer.from('x')), InvalidBucketNameError, b);
        await assert.rejects(store.get(b, 'a.jpg'), InvalidBucketNameError, b);
        await assert.rejects(store.head(b, 'a.jpg'), InvalidBucketNameError, b);
        await assert.rejects(store.delete(b, 'a.jpg'), InvalidBucketNameError, b);
        await assert.rejects(store.list(b), InvalidBucketNameError, b);
        await assert.rejects(store.bucketExists(b), InvalidBucketNameError, b);
      }
    });
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runObjectStoreContract('local', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'livesnap-contract-'));
    return {
      store: new LocalObjectStore({ dataDir }),
      bucket: 'contract-bucket',
      missingBucket: 'never-used-bucket',
      async teardown() {
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  });
}
