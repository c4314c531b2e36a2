import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors.js';
import { createCatalog } from './open-catalog.js';
import { SqliteCatalog } from './sqlite-catalog.js';

describe('createCatalog', () => {
  it('picks SQLite by default and for sqlite:/file:/:memory: URLs', () => {
    for (const databaseUrl of [undefined, '', ':memory:', 'sqlite:/tmp/x.db', 'file:///tmp/x.db']) {
      assert.ok(createCatalog({ dataDir: '/tmp/d', databaseUrl }) instanceof SqliteCatalog);
    }
  });

  it('refuses PostgreSQL (not built yet) and unknown schemes naming the key', () => {
    for (const databaseUrl of ['postgres://u@h/db', 'mysql://h/db']) {
      assert.throws(
        () => createCatalog({ dataDir: '/tmp/d', databaseUrl }),
        (err: unknown) => err instanceof ConfigError && err.key === 'databaseUrl',
      );
    }
  });
});
