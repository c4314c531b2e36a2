import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalObjectStore } from './local-object-store.js';
import { StorageRegistry } from './storage-registry.js';
import { UnknownStorageEndpointError } from './storage-errors.js';

describe('StorageRegistry', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'livesnap-registry-'));
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('always has local, the default unless configured', () => {
    const registry = new StorageRegistry({ dataDir });
    assert.deepEqual(registry.names, ['local']);
    assert.ok(registry.get('local') instanceof LocalObjectStore);
    assert.equal(registry.default, registry.local);
    assert.equal((registry.local as LocalObjectStore).root, path.join(dataDir, 'storage'));
  });

  it('throws UnknownStorageEndpointError for an unknown endpoint', () => {
    const registry = new StorageRegistry({ dataDir });
    assert.equal(registry.has('oss-cn-shanghai.aliyuncs.com'), false);
    assert.throws(() => registry.get('oss-cn-shanghai.aliyuncs.com'), UnknownStorageEndpointError);
    assert.throws(
      () => new StorageRegistry({ dataDir, defaultEndpoint: 'nope' }),
      UnknownStorageEndpointError,
    );
  });

  it('registers configured stores once, and closes them in reverse order', async () => {
    const closed: string[] = [];
    const fake = (name: string) =>
      Object.assign(new LocalObjectStore({ dataDir, name }), {
        async close() {
          closed.push(name);
        },
      });
    const registry = new StorageRegistry({
      dataDir,
      stores: [fake('minio'), fake('s3')],
      defaultEndpoint: 'minio',
    });
    assert.deepEqual(registry.names, ['local', 'minio', 's3']);
    assert.equal(registry.default.name, 'minio');
    assert.throws(() => registry.register(fake('s3')), /already registered/);
    assert.throws(() => registry.register(fake('local')), /already registered/);
    await registry.close();
    assert.deepEqual(closed, ['s3', 'minio']);
  });
});
