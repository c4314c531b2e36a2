import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Catalog } from './catalog-types.js';
import { SqliteCatalog } from './sqlite-catalog.js';

/** The SQLite file used when no database URL is configured. */
export const DEFAULT_SQLITE_FILE = 'livesnap.db';

/**
 * Picks the catalog implementation from configuration (not started yet):
 * no URL → `<dataDir>/livesnap.db`; `sqlite:<path>` / `file:<path>` / `:memory:` → SQLite;
 * `postgres://` / `postgresql://` → PostgreSQL (not implemented yet: a ConfigError).
 */
export function createCatalog(config: { dataDir: string; databaseUrl?: string }): Catalog {
  const url = config.databaseUrl;
  if (url === undefined || url === '') {
    return new SqliteCatalog({ path: join(config.dataDir, DEFAULT_SQLITE_FILE) });
  }
  if (url === ':memory:') return new SqliteCatalog({ path: ':memory:' });
  const sqlite = /^(?:sqlite|file):(?:\/\/)?(.+)$/.exec(url);
  if (sqlite) return new SqliteCatalog({ path: sqlite[1]! });
  if (/^postgres(?:ql)?:\/\//.test(url)) {
    throw new ConfigError('databaseUrl', 'PostgreSQL support is not available in this build yet');
  }
  throw new ConfigError('databaseUrl', 'expected sqlite:<path> or postgres://…');
}
