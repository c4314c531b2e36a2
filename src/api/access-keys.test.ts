import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SqliteCatalog } from '../catalog/sqlite-catalog.js';
import { ConfigError } from '../errors.js';
import {
  bootstrapRootAccessKey,
  catalogAccessKeyLookup,
  CREDENTIALS_FILE,
  generateAccessKey,
} from './access-keys.js';

describe('root access key bootstrap', () => {
  let dir: string;
  let catalog: SqliteCatalog;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'livesnap-keys-'));
    catalog = new SqliteCatalog({ path: ':memory:' });
    await catalog.start();
  });
  afterEach(async () => {
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a cloud-shaped key', () => {
    const k = generateAccessKey();
    assert.match(k.accessKeyId, /^LTAI[A-Za-z0-9]{20}$/);
    assert.match(k.accessKeySecret, /^[A-Za-z0-9]{30}$/);
    assert.notEqual(generateAccessKey().accessKeyId, k.accessKeyId);
  });

  it('generates once, saves with mode 0600, and reuses it later', async () => {
    const dataDir = join(dir, 'data');
    const first = await bootstrapRootAccessKey({ dataDir, catalog });
    assert.equal(first.source, 'generated');
    const file = join(dataDir, CREDENTIALS_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    assert.equal(saved.accessKeyId, first.accessKeyId);
    assert.equal(saved.accessKeySecret, first.accessKeySecret);
    assert.equal(JSON.stringify(first).includes(first.accessKeySecret), false);

    const second = await bootstrapRootAccessKey({ dataDir, catalog });
    assert.equal(second.source, 'file');
    assert.equal(second.accessKeyId, first.accessKeyId);
    const lookup = catalogAccessKeyLookup(catalog);
    assert.deepEqual(await lookup(first.accessKeyId), {
      secret: first.accessKeySecret,
      active: true,
    });
  });

  it('prefers the configured key and deactivates an earlier root key', async () => {
    const generated = await bootstrapRootAccessKey({ dataDir: dir, catalog });
    const configured = await bootstrapRootAccessKey({
      dataDir: dir,
      catalog,
      accessKeyId: 'myid',
      accessKeySecret: 'mysecret1',
    });
    assert.equal(configured.source, 'config');
    const lookup = catalogAccessKeyLookup(catalog);
    assert.deepEqual(await lookup('myid'), { secret: 'mysecret1', active: true });
    assert.equal((await lookup(generated.accessKeyId))?.active, false);
    assert.equal(await lookup('unknown'), undefined);
  });

  it('refuses half a configured key and a corrupt credentials file', async () => {
    await assert.rejects(
      bootstrapRootAccessKey({ dataDir: dir, catalog, accessKeyId: 'x' }),
      (err: unknown) => err instanceof ConfigError && err.key === 'accessKeySecret',
    );
    writeFileSync(join(dir, CREDENTIALS_FILE), '{nope');
    await assert.rejects(bootstrapRootAccessKey({ dataDir: dir, catalog }), /not valid JSON/);
  });

  it('tightens a too-open credentials file', async () => {
    const file = join(dir, CREDENTIALS_FILE);
    writeFileSync(file, JSON.stringify({ accessKeyId: 'a', accessKeySecret: 'b' }));
    chmodSync(file, 0o644);
    const k = await bootstrapRootAccessKey({ dataDir: dir, catalog });
    assert.equal(k.source, 'file');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});
