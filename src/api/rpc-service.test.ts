import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { silentLogger } from '../log.js';
import { ActionRegistry, ApiVersion, type ActionContext } from './action-registry.js';
import { ApiError } from './api-error.js';
import { RpcService, type RpcServiceOptions } from './rpc-service.js';
import { percentEncode, signParams } from './signature.js';

const SECRET = 'secret';
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function service(registry: ActionRegistry, extra: Partial<RpcServiceOptions> = {}) {
  return new RpcService({
    registry,
    accessKeys: async (id) => (id === 'ak' ? { secret: SECRET, active: true } : undefined),
    log: silentLogger(),
    now: () => NOW,
    ...extra,
  });
}

function request(
  action: string,
  params: Record<string, string> = {},
  method: 'GET' | 'POST' = 'GET',
) {
  const pairs: Array<[string, string]> = [
    ['Action', action],
    ['Version', action === 'Echo' ? ApiVersion.Ice : ApiVersion.Live],
    ['AccessKeyId', 'ak'],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureVersion', '1.0'],
    ['SignatureNonce', randomBytes(16).toString('hex')],
    ['Timestamp', new Date(NOW).toISOString().replace('.000Z', 'Z')],
    ...Object.entries(params),
  ];
  pairs.push(['Signature', signParams(method, pairs, SECRET)]);
  const encodeForm = (x: Array<[string, string]>) =>
    x.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  return method === 'GET'
    ? { method, query: encodeForm(pairs), host: 'api.test:8080' }
    : {
        method,
        query: '',
        body: encodeForm(pairs),
        contentType: 'application/x-www-form-urlencoded',
        host: 'api.test',
      };
}

describe('ActionRegistry', () => {
  it('refuses duplicates, unknown versions and odd names', () => {
    const r = new ActionRegistry();
    const handler = () => ({});
    r.register({ version: ApiVersion.Live, action: 'Ping', handler });
    assert.throws(() => r.register({ version: ApiVersion.Live, action: 'Ping', handler }), /twice/);
    assert.throws(
      () => r.register({ version: '1999-01-01' as ApiVersion, action: 'X', handler }),
      /version/,
    );
    assert.throws(
      () => r.register({ version: ApiVersion.Ice, action: 'bad name', handler }),
      /name/,
    );
    r.register({ version: ApiVersion.Ice, action: 'Ping', handler });
    assert.deepEqual(r.list(), ['2016-11-01/Ping', '2020-11-09/Ping']);
  });
});

describe('RpcService', () => {
  it('dispatches with a context and wraps the result', async () => {
    const r = new ActionRegistry();
    let seen: ActionContext | undefined;
    r.register({
      version: ApiVersion.Ice,
      action: 'Echo',
      handler: (p, ctx) => {
        seen = ctx;
        return { Value: p.string('Value'), Count: 2 };
      },
    });
    const reply = await service(r).handle(request('Echo', { Value: 'x y' }, 'POST'));
    assert.equal(reply.status, 200);
    assert.equal(reply.contentType, 'application/json;charset=utf-8');
    const body = JSON.parse(reply.body);
    assert.deepEqual(Object.keys(body), ['RequestId', 'Value', 'Count']);
    assert.equal(body.Count, 2);
    assert.equal(seen?.requestId, body.RequestId);
    assert.equal(seen?.accessKeyId, 'ak');
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.version, '2020-11-09');
    assert.equal(seen?.now(), NOW);
  });

  it('turns unexpected failures and reserved keys into InternalError', async () => {
    const r = new ActionRegistry();
    r.register({
      version: ApiVersion.Live,
      action: 'Boom',
      handler: () => {
        throw new Error('secret detail');
      },
    });
    r.register({ version: ApiVersion.Live, action: 'Coded', handler: () => ({ Code: 'OK' }) });
    r.register({
      version: ApiVersion.Live,
      action: 'Denied',
      handler: () => {
        throw new ApiError('Forbidden');
      },
    });
    const s = service(r);
    for (const action of ['Boom', 'Coded']) {
      const reply = await s.handle(request(action));
      assert.equal(reply.status, 500);
      const body = JSON.parse(reply.body);
      assert.equal(body.Code, 'InternalError');
      assert.doesNotMatch(body.Message, /secret detail/);
      assert.equal(body.HostId, 'api.test');
    }
    const denied = await s.handle(request('Denied'));
    assert.equal(denied.status, 403);
  });

  it('answers ServiceUnavailable rather than forgetting nonces when the store is full', async () => {
    const r = new ActionRegistry();
    r.register({ version: ApiVersion.Live, action: 'Ping', handler: () => ({}) });
    const s = service(r, { maxNonces: 2, hostId: 'fixed.host', recommend: () => undefined });
    assert.equal((await s.handle(request('Ping'))).status, 200);
    assert.equal((await s.handle(request('Ping'))).status, 200);
    const full = await s.handle(request('Ping'));
    assert.equal(full.status, 503);
    assert.deepEqual(Object.keys(JSON.parse(full.body)), [
      'RequestId',
      'HostId',
      'Code',
      'Message',
    ]);
    assert.equal(JSON.parse(full.body).HostId, 'fixed.host');
  });

  it('applies QPS overrides by action, group and wildcard', async () => {
    const r = new ActionRegistry();
    r.register({ version: ApiVersion.Live, action: 'A', qps: 1, handler: () => ({}) });
    r.register({ version: ApiVersion.Live, action: 'B', qps: 1, handler: () => ({}) });
    const s = service(r, { qpsOverrides: { A: 3 } });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await s.handle(request('A'))).status);
    assert.deepEqual(codes, [200, 200, 200, 400]);
    assert.equal((await s.handle(request('B'))).status, 200);
    assert.equal((await s.handle(request('B'))).status, 400);
  });
});
