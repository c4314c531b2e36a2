import assert from 'node:assert/strict';
import { it } from 'node:test';
import { silentLogger } from '../log.js';
import { buildHttpServer } from './http-server.js';
import { metricsRoute } from './metrics-route.js';

it('serves the metrics text with its content type', async () => {
  const app = buildHttpServer({ log: silentLogger() });
  const contentType = 'text/plain; version=0.0.4; charset=utf-8';
  await app.register(metricsRoute, {
    metrics: { text: async () => 'livesnap_up 1\n', contentType },
  });
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], contentType);
  assert.equal(res.body, 'livesnap_up 1\n');
  await app.close();
});
