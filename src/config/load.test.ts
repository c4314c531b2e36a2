import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../errors.js';
import { loadConfig } from './load.js';

test('defaults match DESIGN.md §2', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.httpPort, 8080);
  assert.equal(c.rtmpPort, 1935);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.dataDir, './data');
  assert.equal(c.accessKeyId, undefined);
});

test('environment overrides the file, which overrides defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'livesnap-cfg-'));
  const file = join(dir, 'c.json');
  writeFileSync(
    file,
    JSON.stringify({ httpPort: 9000, rtmpPort: 2000, rtmp: { idleTimeoutMs: 5000 } }),
  );
  const c = loadConfig({ env: { LIVESNAP_CONFIG: file, LIVESNAP_HTTP_PORT: '9100' } });
  assert.equal(c.httpPort, 9100);
  assert.equal(c.rtmpPort, 2000);
  assert.equal(c.rtmp.idleTimeoutMs, 5000);
  assert.equal(c.rtmp.maxConnections, 2000);
});

test('invalid values fail with an error naming the key and the variable', () => {
  assert.throws(
    () => loadConfig({ env: { LIVESNAP_HTTP_PORT: '70000' } }),
    (e: unknown) => e instanceof ConfigError && /httpPort \(LIVESNAP_HTTP_PORT\)/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ env: { LIVESNAP_RTMP_PORT: 'abc' } }),
    (e: unknown) => e instanceof ConfigError && e.key === 'LIVESNAP_RTMP_PORT',
  );
  assert.throws(
    () => loadConfig({ env: {}, overrides: { 'capture.jpegQuality': 0 } }),
    (e: unknown) => e instanceof ConfigError && e.key === 'capture.jpegQuality',
  );
});

test('unknown keys in a config file are rejected by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'livesnap-cfg-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ rtmp: { idleTimeout: 5 } }));
  assert.throws(
    () => loadConfig({ env: {}, file }),
    (e: unknown) => e instanceof ConfigError && e.key === 'rtmp.idleTimeout',
  );
  writeFileSync(file, '{not json');
  assert.throws(() => loadConfig({ env: {}, file }), /not valid JSON/);
  assert.throws(() => loadConfig({ env: {}, file: join(dir, 'missing.json') }), /cannot read/);
});

test('pairs must be complete: TLS cert and key, access key id and secret', () => {
  assert.throws(() => loadConfig({ env: { LIVESNAP_TLS_CERT_FILE: '/x.pem' } }), /tlsKeyFile/);
  assert.throws(() => loadConfig({ env: { LIVESNAP_ACCESS_KEY_ID: 'abc' } }), /accessKeySecret/);
});

test('notify section: defaults, environment variables and backoff bounds', () => {
  const d = loadConfig({ env: {} }).notify;
  assert.equal(d.timeoutMs, 5000);
  assert.equal(d.maxAttempts, 15);
  assert.equal(d.backoffBaseMs, 1000);
  assert.equal(d.backoffCapMs, 900_000);
  const c = loadConfig({
    env: {
      LIVESNAP_NOTIFY_TIMEOUT_MS: '2000',
      LIVESNAP_NOTIFY_MAX_ATTEMPTS: '3',
      LIVESNAP_NOTIFY_BACKOFF_BASE_MS: '100',
      LIVESNAP_NOTIFY_BACKOFF_CAP_MS: '400',
      LIVESNAP_NOTIFY_PER_HOST_CONCURRENCY: '2',
    },
  }).notify;
  assert.deepEqual(
    [c.timeoutMs, c.maxAttempts, c.backoffBaseMs, c.backoffCapMs, c.perHostConcurrency],
    [2000, 3, 100, 400, 2],
  );
  assert.throws(
    () => loadConfig({ env: { LIVESNAP_NOTIFY_BACKOFF_CAP_MS: '10' } }),
    (e: unknown) => e instanceof ConfigError && e.key === 'notify.backoffCapMs',
  );
  assert.throws(
    () => loadConfig({ env: { LIVESNAP_NOTIFY_CONCURRENCY: '0' } }),
    (e: unknown) => e instanceof ConfigError && /LIVESNAP_NOTIFY_CONCURRENCY/.test(e.message),
  );
});
