import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  encodePairs,
  newNonce,
  readResponse,
  rpcTimestamp,
  sendParams,
  signedParams,
  startTestApi,
  type ApiResponse,
  type CallOptions,
  type ParamValue,
  type TestApi,
} from './support/api-client.js';

/** Every protocol and validation error path over raw HTTP (fetch), checking the envelope. */

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

function expectError(res: ApiResponse, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, `status for ${code}: ${res.text.slice(0, 300)}`);
  assert.equal(res.contentType, 'application/json;charset=utf-8');
  assert.deepEqual(Object.keys(res.body), ['RequestId', 'HostId', 'Code', 'Message', 'Recommend']);
  assert.equal(res.body.Code, code);
  assert.match(res.body.RequestId, REQUEST_ID);
  assert.equal(res.body.HostId, '127.0.0.1');
  assert.ok(res.body.Recommend.includes(`q=${encodeURIComponent(code)}`));
  if (message) assert.match(res.body.Message, message);
}

function expectOk(res: ApiResponse): void {
  assert.equal(res.status, 200, res.text.slice(0, 300));
  assert.match(res.body.RequestId, REQUEST_ID);
  assert.equal('Code' in res.body, false);
}

const RULE = {
  DomainName: 'err.example.com',
  AppName: 'live',
  TimeInterval: 5,
  OssEndpoint: 'local',
  OssBucket: 'snaps',
  OverwriteOssObject: '{AppName}/{StreamName}.jpg',
};

let api: TestApi;
let call: (a: string, p?: Record<string, ParamValue>, o?: CallOptions) => Promise<ApiResponse>;

before(async () => {
  api = await startTestApi({
    storageEndpoints: ['local', 's3main'],
    bucketExists: async (_endpoint, bucket) => bucket !== 'missing-bucket',
  });
  call = (a, p = {}, o = {}) => api.client.call(a, p, o);
});
after(async () => {
  await api.close();
});

describe('RPC protocol errors', () => {
  it('reports each missing common parameter', async () => {
    for (const name of [
      'Action',
      'Version',
      'AccessKeyId',
      'Signature',
      'SignatureMethod',
      'SignatureVersion',
      'SignatureNonce',
      'Timestamp',
    ]) {
      const params = signedParams(api.creds, 'DescribeLiveSnapshotConfig', { DomainName: 'a.com' });
      params.delete(name);
      expectError(
        await sendParams(api.baseUrl, params),
        400,
        'MissingParameter',
        new RegExp(`"${name}"`),
      );
    }
  });

  it('checks signature method and version', async () => {
    const p = { DomainName: 'a.com' };
    expectError(
      await call('DescribeLiveSnapshotConfig', p, { common: { SignatureMethod: 'HMAC-SHA256' } }),
      400,
      'InvalidSignatureMethod',
    );
    expectError(
      await call('DescribeLiveSnapshotConfig', p, { common: { SignatureVersion: '2.0' } }),
      400,
      'InvalidSignatureVersion',
    );
  });

  it('refuses malformed, stale and future timestamps and accepts skew inside 15 minutes', async () => {
    const p = { DomainName: 'a.com' };
    for (const ts of [
      '2024-01-02 03:04:05',
      '2024-13-01T00:00:00Z',
      '2024-02-30T00:00:00Z',
      `${rpcTimestamp().slice(0, -1)}.123Z`,
      '1700000000',
    ]) {
      expectError(
        await call('DescribeLiveSnapshotConfig', p, { common: { Timestamp: ts } }),
        400,
        'InvalidTimeStamp.Format',
      );
    }
    const min = 60_000;
    for (const skew of [-16 * min, 16 * min]) {
      expectError(
        await call('DescribeLiveSnapshotConfig', p, {
          common: { Timestamp: rpcTimestamp(Date.now() + skew) },
        }),
        400,
        'InvalidTimeStamp.Expired',
      );
    }
    for (const skew of [-14 * min, 14 * min]) {
      expectOk(
        await call('DescribeLiveSnapshotConfig', p, {
          common: { Timestamp: rpcTimestamp(Date.now() + skew) },
        }),
      );
    }
  });

  it('refuses unknown and disabled access keys', async () => {
    const p = { DomainName: 'a.com' };
    expectError(
      await call('DescribeLiveSnapshotConfig', p, { common: { AccessKeyId: 'LTAInobody' } }),
      404,
      'InvalidAccessKeyId.NotFound',
    );
    await api.catalog.putAccessKey({
      accessKeyId: 'LTAIdisabled',
      accessKeySecret: 'x',
      active: false,
      isRoot: false,
      createdAt: 0,
    });
    expectError(
      await call('DescribeLiveSnapshotConfig', p, { common: { AccessKeyId: 'LTAIdisabled' } }),
      400,
      'InvalidAccessKeyId.Inactive',
    );
  });

  it('refuses a wrong secret, a tampered value and an unsigned extra parameter', async () => {
    const p = { DomainName: 'a.com' };
    const wrong = await call('DescribeLiveSnapshotConfig', p, { signWith: 'not-the-secret' });
    expectError(wrong, 400, 'SignatureDoesNotMatch', /server string to sign is:GET&%2F&/);
    expectError(
      await call('DescribeLiveSnapshotConfig', p, {
        afterSign: (m) => m.set('DomainName', 'b.com'),
      }),
      400,
      'SignatureDoesNotMatch',
    );
    expectError(
      await call('DescribeLiveSnapshotConfig', p, { afterSign: (m) => m.set('Extra', '1') }),
      400,
      'SignatureDoesNotMatch',
    );
    // GET-signed parameters sent by POST: the method is part of the signed string.
    const getSigned = signedParams(api.creds, 'DescribeLiveSnapshotConfig', p, { method: 'GET' });
    expectError(
      await sendParams(api.baseUrl, getSigned, { method: 'POST' }),
      400,
      'SignatureDoesNotMatch',
    );
    // Unknown parameters are tolerated when signed; odd characters survive the round trip.
    expectOk(
      await call('DescribeLiveSnapshotConfig', { ...p, OwnerId: 1, Extra: "a b*~!'()+/=é" }),
    );
  });

  it('refuses a replayed nonce, but a forged request does not burn it', async () => {
    const params = signedParams(api.creds, 'DescribeLiveSnapshotConfig', { DomainName: 'a.com' });
    const forged = new Map(params);
    forged.set('Signature', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    expectError(await sendParams(api.baseUrl, forged), 400, 'SignatureDoesNotMatch');
    expectOk(await sendParams(api.baseUrl, params));
    expectError(await sendParams(api.baseUrl, params), 400, 'SignatureNonceUsed');
    const nonce = newNonce();
    expectOk(
      await call(
        'DescribeLiveSnapshotConfig',
        { DomainName: 'a.com' },
        { common: { SignatureNonce: nonce } },
      ),
    );
    expectError(
      await call(
        'DescribeLiveSnapshotConfig',
        { DomainName: 'b.com' },
        { common: { SignatureNonce: nonce }, method: 'POST' },
      ),
      400,
      'SignatureNonceUsed',
    );
    expectError(
      await call('DescribeLiveSnapshotConfig', {}, { common: { SignatureNonce: 'n'.repeat(129) } }),
      400,
      'InvalidParameter',
    );
  });

  it('refuses unknown actions and versions', async () => {
    expectError(await call('NoSuchAction'), 404, 'InvalidAction.NotFound');
    expectError(
      await call('DescribeLiveSnapshotConfig', { DomainName: 'a.com' }, { version: '2020-11-09' }),
      404,
      'InvalidAction.NotFound',
    );
    expectError(
      await call('DescribeLiveSnapshotConfig', {}, { version: '2016-11-02' }),
      400,
      'InvalidVersion',
    );
  });

  it('answers unsupported methods, unknown paths and bad encodings with JSON', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await readResponse(await fetch(`${api.baseUrl}/?Action=X`, { method }));
      expectError(res, 400, 'UnsupportedHTTPMethod');
    }
    expectError(await readResponse(await fetch(`${api.baseUrl}/nope`)), 404, 'InvalidApi.NotFound');
    expectError(
      await readResponse(await fetch(`${api.baseUrl}/?a=%E0%A4%A`)),
      400,
      'InvalidParameter',
      /percent-encoded/,
    );
    expectError(await readResponse(await fetch(`${api.baseUrl}/?=x`)), 400, 'InvalidParameter');
    expectError(
      await readResponse(await fetch(`${api.baseUrl}/?a=1&a=2`)),
      400,
      'InvalidParameter',
      /more than once/,
    );
    const res = await readResponse(
      await fetch(`${api.baseUrl}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"Action":"x"}',
      }),
    );
    expectError(res, 415, 'UnsupportedMediaType');
  });

  it('refuses a name given in both query and body', async () => {
    const params = signedParams(
      api.creds,
      'DescribeLiveSnapshotConfig',
      { DomainName: 'a.com' },
      { method: 'POST' },
    );
    const res = await sendParams(api.baseUrl, params, {
      method: 'POST',
      extraQuery: 'DomainName=a.com',
    });
    expectError(res, 400, 'InvalidParameter', /DomainName.*more than once/);
  });

  it('accepts POST with parameters in the query (official SDK style) and mixed', async () => {
    expectOk(
      await call(
        'DescribeLiveSnapshotConfig',
        { DomainName: 'a.com' },
        { method: 'POST', placement: 'query' },
      ),
    );
    const params = signedParams(
      api.creds,
      'DescribeLiveSnapshotConfig',
      { DomainName: 'a.com' },
      { method: 'POST' },
    );
    const sig = params.get('Signature')!;
    params.delete('Signature');
    const res = await readResponse(
      await fetch(`${api.baseUrl}/?${encodePairs([['Signature', sig]])}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
        body: encodePairs(params),
      }),
    );
    expectOk(res);
  });

  it('refuses oversized bodies and URLs with JSON', async () => {
    const big = await readResponse(
      await fetch(`${api.baseUrl}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `Pad=${'a'.repeat(1024 * 1024 + 10)}`,
      }),
    );
    expectError(big, 413, 'RequestEntityTooLarge');
    const longUrl = await readResponse(await fetch(`${api.baseUrl}/?Pad=${'a'.repeat(70_000)}`));
    assert.equal(longUrl.status, 431);
    assert.equal(longUrl.body.Code, 'RequestHeaderFieldsTooLarge');
    const many = Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join('&');
    expectError(
      await readResponse(await fetch(`${api.baseUrl}/?${many}`)),
      400,
      'InvalidParameter',
      /1000/,
    );
  });

  it('speaks XML when asked, and refuses unknown formats', async () => {
    const err = await call('NoSuchAction', {}, { common: { Format: 'XML' } });
    assert.equal(err.status, 404);
    assert.equal(err.contentType, 'text/xml;charset=utf-8');
    assert.match(
      err.text,
      /<Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>127\.0\.0\.1<\/HostId><Code>InvalidAction\.NotFound<\/Code>/,
    );
    const ok = await call(
      'DescribeLiveSnapshotConfig',
      { DomainName: 'a.com' },
      { common: { Format: 'XML' } },
    );
    assert.equal(ok.status, 200);
    assert.match(
      ok.text,
      /<DescribeLiveSnapshotConfigResponse><RequestId>.*<TotalNum>0<\/TotalNum>.*<LiveStreamSnapshotConfigList><\/LiveStreamSnapshotConfigList>/,
    );
    expectError(
      await call(
        'DescribeLiveSnapshotConfig',
        { DomainName: 'a.com' },
        { common: { Format: 'YAML' } },
      ),
      400,
      'InvalidParameter',
    );
  });

  it('serves /healthz', async () => {
    const res = await readResponse(await fetch(`${api.baseUrl}/healthz`));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });
});

describe('throttling', () => {
  let limited: TestApi;
  before(async () => {
    limited = await startTestApi({ qpsOverrides: { '*': 2 } });
  });
  after(async () => {
    await limited.close();
  });

  it('answers Throttling per account and action beyond the limit', async () => {
    const p = { DomainName: 'a.com' };
    expectOk(await limited.client.call('DescribeLiveSnapshotConfig', p));
    expectOk(await limited.client.call('DescribeLiveSnapshotConfig', p));
    const res = await limited.client.call('DescribeLiveSnapshotConfig', p);
    assert.equal(res.status, 400);
    assert.equal(res.body.Code, 'Throttling');
    expectOk(await limited.client.call('QuerySnapshotCallbackAuth', p));
    await new Promise((r) => setTimeout(r, 600));
    expectOk(await limited.client.call('DescribeLiveSnapshotConfig', p));
  });
});

describe('snapshot rule validation', () => {
  const add = (over: Record<string, ParamValue | undefined>) => {
    const params: Record<string, ParamValue> = {};
    for (const [k, v] of Object.entries({ ...RULE, ...over })) if (v !== undefined) params[k] = v;
    return call('AddLiveAppSnapshotConfig', params);
  };

  it('requires every mandatory parameter', async () => {
    for (const name of ['DomainName', 'AppName', 'TimeInterval', 'OssEndpoint', 'OssBucket']) {
      expectError(
        await add({ [name]: undefined }),
        400,
        'MissingParameter',
        new RegExp(`"${name}"`),
      );
      expectError(await add({ [name]: '' }), 400, 'MissingParameter');
    }
  });

  it('validates each field with its code', async () => {
    const cases: Array<[Record<string, ParamValue | undefined>, number, string]> = [
      [{ DomainName: 'bad_domain.com' }, 400, 'InvalidParameter'],
      [{ DomainName: `${'a'.repeat(250)}.com` }, 400, 'InvalidParameter'],
      [{ AppName: '-live' }, 400, 'InvalidParameter'],
      [{ AppName: 'a'.repeat(256) }, 400, 'InvalidParameter'],
      [{ AppName: 'a/b' }, 400, 'InvalidParameter'],
      [{ TimeInterval: 4 }, 400, 'InvalidParameter'],
      [{ TimeInterval: 3601 }, 400, 'InvalidParameter'],
      [{ TimeInterval: 'ten' }, 400, 'InvalidParameter'],
      [{ TimeInterval: '5.5' }, 400, 'InvalidParameter'],
      [{ OssEndpoint: 'oss-cn-shanghai.aliyuncs.com' }, 400, 'InvalidOssEndpoint.Malformed'],
      [{ OssEndpoint: 'x'.repeat(200) }, 400, 'InvalidOssEndpoint.Malformed'],
      [{ OssBucket: 'Bad_Bucket' }, 400, 'InvalidOssBucket.Malformed'],
      [{ OssBucket: 'ab' }, 400, 'InvalidOssBucket.Malformed'],
      [{ OssBucket: 'a'.repeat(64) }, 400, 'InvalidOssBucket.Malformed'],
      [{ OssBucket: 'missing-bucket' }, 400, 'InvalidOssBucket.NotFound'],
      [
        { OverwriteOssObject: undefined },
        400,
        'InvalidOverwriteOssObjectOrSequenceOssObject.Malformed',
      ],
      [
        { OverwriteOssObject: '{AppName}/{UnixTimestamp}.jpg' },
        400,
        'InvalidOverwriteOssObject.Malformed',
      ],
      [{ OverwriteOssObject: '../{StreamName}.jpg' }, 400, 'InvalidOverwriteOssObject.Malformed'],
      [{ OverwriteOssObject: '/abs/{StreamName}.jpg' }, 400, 'InvalidOverwriteOssObject.Malformed'],
      [{ OverwriteOssObject: 'a\\{StreamName}.jpg' }, 400, 'InvalidOverwriteOssObject.Malformed'],
      [{ OverwriteOssObject: 'a/\u0001.jpg' }, 400, 'InvalidOverwriteOssObject.Malformed'],
      [{ OverwriteOssObject: '{StreamName}.png' }, 400, 'InvalidOverwriteOssObject.Malformed'],
      [
        { OverwriteOssObject: `${'a'.repeat(252)}.jpg` },
        400,
        'InvalidOverwriteOssObject.Malformed',
      ],
      [{ OverwriteOssObject: '-' }, 400, 'InvalidOverwriteOssObject.Malformed'],
      [
        { SequenceOssObject: '{AppName}/{StreamName}.jpg' },
        400,
        'InvalidSequenceOssObject.Malformed',
      ],
      [{ SequenceOssObject: '{Date}/{Sequence}.jpg' }, 400, 'InvalidSequenceOssObject.Malformed'],
      [{ Callback: 'ftp://cb.example.com/' }, 400, 'InvalidParameter'],
      [{ Callback: `http://cb.example.com/${'a'.repeat(480)}` }, 400, 'InvalidParameter'],
    ];
    for (const [over, status, code] of cases) {
      expectError(await add(over), status, code);
    }
    assert.equal(
      (
        await api.catalog.listRules({
          domainName: RULE.DomainName,
          order: 'asc',
          offset: 0,
          limit: 30,
        })
      ).total,
      0,
    );
  });

  it('accepts the boundaries and a configured storage', async () => {
    expectOk(await add({ AppName: 'b1', TimeInterval: 5, OssEndpoint: 's3main' }));
    expectOk(
      await add({
        AppName: 'b2',
        TimeInterval: 3600,
        OverwriteOssObject: `${'a'.repeat(251)}.jpg`,
      }),
    );
    expectOk(await add({ AppName: 'B'.repeat(255), OssBucket: 'a'.repeat(63) }));
  });

  it('refuses a duplicate rule and unknown rules', async () => {
    expectOk(await add({ AppName: 'dup' }));
    expectError(
      await add({ AppName: 'dup' }),
      400,
      'ConfigAlreadyExists',
      /Config has already exist/,
    );
    expectError(
      await add({ DomainName: 'ERR.example.com', AppName: 'dup' }),
      400,
      'ConfigAlreadyExists',
    );
    const key = { DomainName: RULE.DomainName, AppName: 'ghost' };
    expectError(
      await call('UpdateLiveAppSnapshotConfig', { ...key, TimeInterval: 9 }),
      400,
      'InvalidConfig.NotFound',
    );
    expectError(await call('DeleteLiveAppSnapshotConfig', key), 400, 'InvalidConfig.NotFound');
  });

  it('applies nothing of a rejected update', async () => {
    expectOk(await add({ AppName: 'upd', SequenceOssObject: 's/{Sequence}.jpg' }));
    const key = { DomainName: RULE.DomainName, AppName: 'upd' };
    expectError(
      await call('UpdateLiveAppSnapshotConfig', {
        ...key,
        TimeInterval: 60,
        OverwriteOssObject: '-',
        SequenceOssObject: '-',
      }),
      400,
      'InvalidOverwriteOssObjectOrSequenceOssObject.Malformed',
    );
    expectError(
      await call('UpdateLiveAppSnapshotConfig', { ...key, TimeInterval: 60, OssBucket: 'BAD' }),
      400,
      'InvalidOssBucket.Malformed',
    );
    expectError(
      await call('UpdateLiveAppSnapshotConfig', {
        ...key,
        TimeInterval: 60,
        OssEndpoint: 'nowhere',
      }),
      400,
      'InvalidOssEndpoint.Malformed',
    );
    expectError(
      await call('UpdateLiveAppSnapshotConfig', {
        ...key,
        TimeInterval: 60,
        OssBucket: 'missing-bucket',
      }),
      400,
      'InvalidOssBucket.NotFound',
    );
    const rule = await api.catalog.getRule(RULE.DomainName, 'upd');
    assert.equal(rule?.timeInterval, 5);
    assert.equal(rule?.overwriteOssObject, RULE.OverwriteOssObject);
    expectOk(await call('UpdateLiveAppSnapshotConfig', { ...key, OverwriteOssObject: '-' }));
    assert.equal(
      (await api.catalog.getRule(RULE.DomainName, 'upd'))?.overwriteOssObject,
      undefined,
    );
  });

  it('validates paging of DescribeLiveSnapshotConfig', async () => {
    const d = { DomainName: RULE.DomainName };
    const bads: Array<Record<string, ParamValue>> = [
      { PageSize: 4 },
      { PageSize: 31 },
      { PageNum: 0 },
      { Order: 'up' },
      { AppName: '_x' },
    ];
    for (const bad of bads) {
      expectError(
        await call('DescribeLiveSnapshotConfig', { ...d, ...bad }),
        400,
        'InvalidParameter',
      );
    }
    expectError(await call('DescribeLiveSnapshotConfig', {}), 400, 'MissingParameter');
    const page = await call('DescribeLiveSnapshotConfig', { ...d, PageSize: 5, PageNum: 99 });
    expectOk(page);
    assert.deepEqual(page.body.LiveStreamSnapshotConfigList.LiveStreamSnapshotConfig, []);
    assert.equal(page.body.TotalPage, Math.ceil(page.body.TotalNum / 5));
  });
});

describe('notify config and callback auth validation', () => {
  const domain = 'notify-err.example.com';

  it('uses the notify family codes', async () => {
    const add = (p: Record<string, ParamValue>) =>
      call('AddLiveSnapshotNotifyConfig', { DomainName: domain, ...p });
    expectError(await add({}), 400, 'MissingParam', /NotifyUrl/);
    expectError(await add({ NotifyUrl: 'not a url' }), 400, 'MalformedParam', /NotifyUrl/);
    expectError(
      await add({ NotifyUrl: `http://x.example.com/${'a'.repeat(490)}` }),
      400,
      'MalformedParam',
    );
    expectError(
      await add({ NotifyUrl: 'http://x.example.com/', NotifyReqAuth: 'yes' }),
      400,
      'MissingParam',
      /NotifyAuthKey/,
    );
    expectError(
      await add({ NotifyUrl: 'http://x.example.com/', NotifyReqAuth: 'maybe' }),
      400,
      'MalformedParam',
    );
    for (const key of ['short1234567890', 'a'.repeat(33), 'abcdefgh-2345678']) {
      expectError(
        await add({ NotifyUrl: 'http://x.example.com/', NotifyReqAuth: 'yes', NotifyAuthKey: key }),
        400,
        'MalformedParam',
      );
    }
    expectError(
      await call('AddLiveSnapshotNotifyConfig', { NotifyUrl: 'http://x.example.com/' }),
      400,
      'MissingParam',
      /DomainName/,
    );
    assert.equal(await api.catalog.getNotifySettings(domain), undefined);

    expectOk(await add({ NotifyUrl: 'http://x.example.com/' }));
    expectError(await add({ NotifyUrl: 'http://y.example.com/' }), 409, 'ConfigAlreadyExists');
    expectError(
      await call('UpdateLiveSnapshotNotifyConfig', { DomainName: domain, NotifyReqAuth: 'yes' }),
      400,
      'MissingParam',
    );
    assert.equal((await api.catalog.getNotifySettings(domain))?.authEnabled, false);
  });

  it('answers 404 InvalidConfig.NotFound for a domain without notify config', async () => {
    const d = { DomainName: 'none.example.com' };
    expectError(await call('DescribeLiveSnapshotNotifyConfig', d), 404, 'InvalidConfig.NotFound');
    expectError(
      await call('UpdateLiveSnapshotNotifyConfig', { ...d, NotifyUrl: 'http://x.example.com/' }),
      404,
      'InvalidConfig.NotFound',
    );
    expectError(await call('DeleteLiveSnapshotNotifyConfig', d), 404, 'InvalidConfig.NotFound');
  });

  it('validates SetSnapshotCallbackAuth', async () => {
    const d = { DomainName: 'auth.example.com' };
    expectError(
      await call('SetSnapshotCallbackAuth', { ...d, CallbackAuthKey: 'a'.repeat(16) }),
      400,
      'MissingParam',
      /CallbackReqAuth/,
    );
    expectError(
      await call('SetSnapshotCallbackAuth', { ...d, CallbackReqAuth: 'yes' }),
      400,
      'MissingParam',
      /CallbackAuthKey/,
    );
    expectError(
      await call('SetSnapshotCallbackAuth', {
        ...d,
        CallbackReqAuth: 'yes',
        CallbackAuthKey: 'short',
      }),
      400,
      'MalformedParam',
    );
    expectError(
      await call('SetSnapshotCallbackAuth', {
        ...d,
        CallbackReqAuth: 'on',
        CallbackAuthKey: 'a'.repeat(16),
      }),
      400,
      'MalformedParam',
    );
    expectError(
      await call('QuerySnapshotCallbackAuth', { DomainName: 'bad domain' }),
      400,
      'MalformedParam',
    );
    expectOk(await call('DeleteSnapshotCallbackAuth', d));
  });
});
