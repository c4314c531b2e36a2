import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../log.js';
import { classifyConsolePath, consoleRoute } from './console-route.js';
import { buildHttpServer } from './http-server.js';

async function appFor(dir: string): Promise<FastifyInstance> {
  const app = buildHttpServer({ log: silentLogger() });
  await app.register(consoleRoute, { dir });
  await app.ready();
  return app;
}

describe('console route: path classification', () => {
  test('index, routes, files, redirects and hostile paths', () => {
    assert.deepEqual(classifyConsolePath(''), { kind: 'index' });
    assert.deepEqual(classifyConsolePath('settings'), { kind: 'route', name: 'settings' });
    assert.deepEqual(classifyConsolePath('settings/'), {
      kind: 'redirect',
      location: '/console/settings',
    });
    assert.deepEqual(classifyConsolePath('assets/index-abc123.js'), {
      kind: 'file',
      path: 'assets/index-abc123.js',
    });
    assert.deepEqual(classifyConsolePath('favicon.svg'), { kind: 'file', path: 'favicon.svg' });
    for (const hostile of [
      '..',
      '../package.json',
      'assets/../../package.json',
      '%2e%2e/package.json',
      'assets/%2E%2E/%2e%2e/x',
      'assets/..%2f..%2fpackage.json',
      'assets//x.js',
      './index.html',
      'a\\..\\b',
      'a%5C..%5Cb',
      'x%00.js',
      '%E0%A4%A',
      'assets/x.js/',
    ]) {
      assert.equal(classifyConsolePath(hostile).kind, 'invalid', hostile);
    }
  });
});

describe('console route: a built console', () => {
  let dir: string;
  let outside: string;
  let app: FastifyInstance;
  before(async () => {
    const base = await mkdtemp(join(tmpdir(), 'livesnap-console-'));
    dir = join(base, 'dist');
    outside = join(base, 'secret.txt');
    await mkdir(join(dir, 'assets'), { recursive: true });
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.info(1)');
    await writeFile(join(dir, 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(outside, 'do not serve');
    app = await appFor(dir);
  });
  after(async () => {
    await app?.close();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  test('/console redirects to /console/, keeping the query', async () => {
    const res = await app.inject('/console?x=1');
    assert.equal(res.statusCode, 308);
    assert.equal(res.headers.location, '/console/?x=1');
  });

  test('index.html at /console/ and at every app route, revalidated, with a strict CSP', async () => {
    for (const url of ['/console/', '/console/settings', '/console/snapshots?domain=a.com']) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.body, '<!doctype html><title>console</title>');
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.ok(res.headers.etag);
    }
    const slash = await app.inject('/console/settings/');
    assert.equal(slash.statusCode, 308);
    assert.equal(slash.headers.location, '/console/settings');
  });

  test('hashed assets: content types and immutable caching; other files revalidate', async () => {
    const js = await app.inject('/console/assets/index-abc123.js');
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.headers['content-length'], String('console.info(1)'.length));
    const css = await app.inject('/console/assets/index-abc123.css');
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const svg = await app.inject('/console/favicon.svg');
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.equal(svg.headers['cache-control'], 'no-cache');
  });

  test('conditional requests and HEAD', async () => {
    const first = await app.inject('/console/');
    const again = await app.inject({
      url: '/console/',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    const head = await app.inject({ method: 'HEAD', url: '/console/assets/index-abc123.js' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String('console.info(1)'.length));
  });

  test('missing files are a 404 page; traversal never reaches the disk outside the build', async () => {
    const missing = await app.inject('/console/assets/nope-123.js');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /Not found/);
    assert.equal(missing.headers['content-type'], 'text/html; charset=utf-8');
    for (const url of [
      '/console/../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/assets/%2e%2e/%2e%2e/secret.txt',
      '/console/..%2fsecret.txt',
      '/console/..%5csecret.txt',
      '/console/%00',
    ]) {
      const res = await app.inject(url);
      assert.ok(res.statusCode === 404 || res.statusCode === 400, `${url}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /do not serve/, url);
    }
  });

  test('methods other than GET and HEAD get the JSON error envelope', async () => {
    const res = await app.inject({ method: 'POST', url: '/console/' });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /json/);
  });
});

describe('console route: not built', () => {
  test('every page explains how to build the console (503)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'livesnap-console-empty-'));
    const app = await appFor(join(dir, 'dist'));
    try {
      for (const url of ['/console/', '/console/settings', '/console/assets/index-abc.js']) {
        const res = await app.inject(url);
        assert.equal(res.statusCode, 503, url);
        assert.match(res.body, /npm run build:console/);
        assert.equal(res.headers['cache-control'], 'no-store');
      }
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
