import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { ActionRegistry } from '../api/action-registry.js';
import { RpcService } from '../api/rpc-service.js';
import { silentLogger } from '../log.js';
import { buildHttpServer, HttpServer } from './http-server.js';

const log = silentLogger();

function rpc(): RpcService {
  return new RpcService({ registry: new ActionRegistry(), accessKeys: async () => undefined, log });
}

describe('buildHttpServer', () => {
  it('serves /healthz and reflects the health check', async () => {
    let healthy = true;
    const app = buildHttpServer({ log, health: () => healthy });
    assert.deepEqual((await app.inject('/healthz')).json(), { status: 'ok' });
    healthy = false;
    assert.equal((await app.inject('/healthz')).statusCode, 503);
    await app.close();
  });

  it('answers unknown paths and RPC errors with the JSON envelope', async () => {
    const app = buildHttpServer({ log, rpc: rpc() });
    const notFound = await app.inject('/nowhere');
    assert.equal(notFound.statusCode, 404);
    assert.equal(notFound.json().Code, 'InvalidApi.NotFound');
    const missing = await app.inject({
      method: 'GET',
      url: '/?Action=X',
      headers: { host: 'h.example:1' },
    });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.headers['content-type'], 'application/json;charset=utf-8');
    assert.equal(missing.json().Code, 'MissingParameter');
    assert.equal(missing.json().HostId, 'h.example');
    const put = await app.inject({ method: 'PUT', url: '/', payload: 'x' });
    assert.equal(put.json().Code, 'UnsupportedHTTPMethod');
    const form = await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'Action=X&Version=2016-11-01',
    });
    assert.equal(form.statusCode, 400);
    assert.match(form.json().Message, /"AccessKeyId"/);
    await app.close();
  });

  it('enforces the body limit with a JSON error', async () => {
    const app = buildHttpServer({ log, rpc: rpc(), bodyLimit: 1024 });
    const big = await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a='.padEnd(2048, 'x'),
    });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().Code, 'RequestEntityTooLarge');
    await app.close();
  });

  it('lets others register routes, which keep their own content types', async () => {
    const app = buildHttpServer({ log, rpc: rpc() });
    const plugin: FastifyPluginAsync = async (scope) => {
      scope.post('/storage/echo', async (req) => ({ got: req.body }));
    };
    await app.register(plugin);
    const res = await app.inject({ method: 'POST', url: '/storage/echo', payload: { a: 1 } });
    assert.deepEqual(res.json(), { got: { a: 1 } });
    await app.close();
  });
});

describe('HttpServer', () => {
  it('listens on port 0 and closes', async () => {
    const server = new HttpServer({ host: '127.0.0.1', port: 0, log, rpc: rpc() });
    const { port, url } = await server.start();
    assert.ok(port > 0);
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    await server.close();
    await assert.rejects(fetch(`${url}/healthz`));
  });

  it('closes cleanly without having listened', async () => {
    await new HttpServer({ host: '127.0.0.1', port: 0, log }).close();
  });
});
