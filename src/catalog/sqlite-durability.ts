import type { Database } from 'better-sqlite3';

/**
 * Runs `fn` (one or more write transactions) with synchronous=NORMAL instead of the catalog's
 * FULL: in WAL mode the commit survives a process crash at once, and is on disk by the next
 * FULL commit; only a power loss before that can undo it. For writes whose loss the next
 * durable commit makes harmless (see the callers).
 */
export function withoutWaitingForDisk<T>(db: Database, fn: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return fn();
  } finally {
    db.pragma('synchronous = FULL');
  }
}
