/**
 * The console's browser-side signing (web/src/lib): the plain TypeScript HMAC-SHA1 fallback
 * and the Web Crypto path give the spec's worked vectors (§1.4 A and B), and the console's
 * RPC client is accepted by the real API with either.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes, webcrypto } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base64, hmacSha1, sha1 } from '../web/src/lib/hmac-sha1.js';
import { RpcClient, RpcError, flattenParams } from '../web/src/lib/rpc-client.js';
import {
  canonicalizedQueryString,
  createSigner,
  stringToSign,
  type HmacSubtle,
} from '../web/src/lib/rpc-signature.js';
import { startTestApi, type TestApi } from './support/api-client.js';

const enc = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const subtle = webcrypto.subtle as unknown as HmacSubtle;

const VECTOR_A: Array<[string, string]> = [
  ['AccessKeyId', 'testid'],
  ['Action', 'DescribeRegions'],
  ['Format', 'XML'],
  ['SignatureMethod', 'HMAC-SHA1'],
  ['SignatureNonce', '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf'],
  ['SignatureVersion', '1.0'],
  ['Timestamp', '2016-02-23T12:46:24Z'],
  ['Version', '2014-05-26'],
];
const VECTOR_B: Array<[string, string]> = [
  ['Action', 'DescribeLiveStreamSnapshotInfo'],
  ['Format', 'JSON'],
  ['Version', '2016-11-01'],
  ['AccessKeyId', 'testid'],
  ['SignatureMethod', 'HMAC-SHA1'],
  ['SignatureVersion', '1.0'],
  ['SignatureNonce', 'c4f1a2b3d4e5f60718293a4b5c6d7e8f'],
  ['Timestamp', '2024-01-02T03:04:05Z'],
  ['DomainName', 'example.com'],
  ['AppName', 'liveApp'],
  ['StreamName', 'liveStream'],
  ['StartTime', '2024-01-01T00:00:00Z'],
  ['EndTime', '2024-01-01T12:00:00Z'],
  ['Limit', '10'],
];

describe('console signing: SHA-1 and HMAC-SHA1 in TypeScript', () => {
  test('SHA-1 of the FIPS 180 examples and of block-boundary lengths matches node:crypto', () => {
    assert.equal(hex(sha1(enc('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal(hex(sha1(enc(''))), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
    assert.equal(
      hex(sha1(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
    for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 128, 1000]) {
      const data = randomBytes(n);
      assert.equal(hex(sha1(data)), createHash('sha1').update(data).digest('hex'), `length ${n}`);
    }
  });

  test('HMAC-SHA1 matches node:crypto for short, block-sized and long keys', () => {
    for (const keyLen of [0, 5, 64, 65, 200]) {
      const key = randomBytes(keyLen);
      const msg = randomBytes(97);
      assert.equal(
        hex(hmacSha1(key, msg)),
        createHmac('sha1', key).update(msg).digest('hex'),
        `key length ${keyLen}`,
      );
    }
    // RFC 2202 test case 2
    assert.equal(
      hex(hmacSha1(enc('Jefe'), enc('what do ya want for nothing?'))),
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
  });

  test('Base64 with every padding length', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 20]) {
      const b = randomBytes(n);
      assert.equal(base64(b), b.toString('base64'));
    }
  });
});

describe('console signing: the spec worked vectors', () => {
  test('vector A: canonical query, string to sign, signature (fallback and Web Crypto)', async () => {
    assert.equal(
      canonicalizedQueryString(VECTOR_A),
      'AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26',
    );
    const text = stringToSign('GET', VECTOR_A);
    assert.equal(
      text,
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    const fallback = createSigner('testsecret', null);
    assert.equal(fallback.kind, 'fallback');
    assert.equal(await fallback.sign(text), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    const web = createSigner('testsecret', subtle);
    assert.equal(web.kind, 'web-crypto');
    assert.equal(await web.sign(text), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  test('vector B: GET and POST signatures (fallback and Web Crypto)', async () => {
    for (const signer of [createSigner('testsecret', null), createSigner('testsecret', subtle)]) {
      assert.equal(
        await signer.sign(stringToSign('GET', VECTOR_B)),
        'i5ZMp7OFsaJ0vdsdkuZNivoIXqk=',
      );
      assert.equal(
        await signer.sign(stringToSign('POST', VECTOR_B)),
        '11sdpGZtXznerKMcDLlLVZO+Gsw=',
      );
    }
  });

  test('non-ASCII values and secrets sign like the server computes', async () => {
    const params: Array<[string, string]> = [
      ['Callback', 'https://例え.jp/a b*~!'],
      ['Action', 'X'],
    ];
    const text = stringToSign('POST', params);
    const secret = 'sécret-ключ';
    const expected = createHmac('sha1', `${secret}&`).update(text, 'utf8').digest('base64');
    assert.equal(await createSigner(secret, null).sign(text), expected);
    assert.equal(await createSigner(secret, subtle).sign(text), expected);
  });

  test('arrays are flattened to Name.N like pop-core', () => {
    assert.deepEqual(flattenParams({ A: 'x', L: [3, 4], U: undefined, B: true }), [
      ['A', 'x'],
      ['L.1', '3'],
      ['L.2', '4'],
      ['B', 'true'],
    ]);
  });
});

describe("console signing: the console's RPC client against the real API", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api?.close();
  });

  for (const mode of ['web-crypto', 'fallback'] as const) {
    test(`${mode}: a signed call succeeds and an error envelope becomes an RpcError`, async () => {
      const client = new RpcClient({
        endpoint: `${api.baseUrl}/`,
        credentials: api.creds,
        subtle: mode === 'fallback' ? null : subtle,
      });
      assert.equal(client.signerKind, mode);
      await client.call('AddLiveAppSnapshotConfig', {
        DomainName: `${mode}.example.com`,
        AppName: 'live',
        TimeInterval: 5,
        OssEndpoint: 'local',
        OssBucket: 'shots',
        SequenceOssObject: '{AppName}/{StreamName}/{Sequence}.jpg',
        Callback: 'https://例え.jp/hook?a=b c',
      });
      const res = await client.call<{
        LiveStreamSnapshotConfigList: { LiveStreamSnapshotConfig: Array<{ Callback: string }> };
      }>('DescribeLiveSnapshotConfig', { DomainName: `${mode}.example.com` });
      assert.equal(
        res.LiveStreamSnapshotConfigList.LiveStreamSnapshotConfig[0]!.Callback,
        'https://例え.jp/hook?a=b c',
      );
      await assert.rejects(
        client.call('AddLiveAppSnapshotConfig', {
          DomainName: `${mode}.example.com`,
          AppName: 'other',
          TimeInterval: 2,
          OssEndpoint: 'local',
          OssBucket: 'shots',
          SequenceOssObject: '{Sequence}.jpg',
        }),
        (err: unknown) =>
          err instanceof RpcError &&
          err.code === 'InvalidParameter' &&
          err.status === 400 &&
          /TimeInterval/.test(err.message) &&
          typeof err.requestId === 'string',
      );
    });
  }

  test('a wrong secret is refused with SignatureDoesNotMatch', async () => {
    const client = new RpcClient({
      endpoint: `${api.baseUrl}/`,
      credentials: { accessKeyId: api.creds.accessKeyId, accessKeySecret: 'wrong' },
    });
    await assert.rejects(client.call('DescribeLiveStreamsOnlineList'), {
      code: 'SignatureDoesNotMatch',
    });
  });

  test('a browser clock an hour off is corrected from the Date header, once', async () => {
    let calls = 0;
    const client = new RpcClient({
      endpoint: `${api.baseUrl}/`,
      credentials: api.creds,
      now: () => Date.now() - 3600_000,
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    await client.call('DescribeLiveSnapshotConfig', { DomainName: 'skew.example.com' });
    assert.equal(calls, 2, 'refused once, then signed with the server clock');
    await client.call('DescribeLiveSnapshotConfig', { DomainName: 'skew.example.com' });
    assert.equal(calls, 3, 'the offset is kept');
  });

  test('an unreachable server is a NetworkError', async () => {
    const client = new RpcClient({
      endpoint: 'http://127.0.0.1:9/',
      credentials: api.creds,
    });
    await assert.rejects(client.call('DescribeLiveStreamsOnlineList'), { code: 'NetworkError' });
  });
});
