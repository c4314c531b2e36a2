import type { Database } from 'better-sqlite3';
import { PermanentError } from '../errors.js';
import { SNAPSHOT_JOBS_SQL } from './snapshot-jobs-migration.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * SQLite schema history. Append only: never edit a released migration, add a new one.
 * Each pending migration runs, with its `schema_version` row, in the one startup
 * transaction, so a crash leaves the database at the old version.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE access_keys (
        access_key_id     TEXT PRIMARY KEY,
        access_key_secret TEXT NOT NULL,
        active            INTEGER NOT NULL DEFAULT 1,
        is_root           INTEGER NOT NULL DEFAULT 0,
        created_at        INTEGER NOT NULL
      );

      CREATE TABLE snapshot_rules (
        id                   INTEGER PRIMARY KEY AUTOINCREMENT,
        domain_name          TEXT NOT NULL,
        app_name             TEXT NOT NULL,
        time_interval        INTEGER NOT NULL,
        oss_endpoint         TEXT NOT NULL,
        oss_bucket           TEXT NOT NULL,
        overwrite_oss_object TEXT,
        sequence_oss_object  TEXT,
        callback             TEXT,
        created_at           INTEGER NOT NULL,
        updated_at           INTEGER NOT NULL,
        UNIQUE (domain_name, app_name),
        CHECK (overwrite_oss_object IS NOT NULL OR sequence_oss_object IS NOT NULL)
      );
      CREATE INDEX snapshot_rules_domain_created ON snapshot_rules (domain_name, created_at);

      CREATE TABLE domain_notify (
        domain_name  TEXT PRIMARY KEY,
        notify_url   TEXT,
        auth_enabled INTEGER NOT NULL DEFAULT 0,
        auth_key     TEXT,
        updated_at   INTEGER NOT NULL
      );

      CREATE TABLE snapshot_records (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        domain_name      TEXT NOT NULL,
        app_name         TEXT NOT NULL,
        stream_name      TEXT NOT NULL,
        oss_endpoint     TEXT NOT NULL,
        oss_bucket       TEXT NOT NULL,
        oss_object       TEXT NOT NULL,
        create_timestamp INTEGER NOT NULL,
        is_overlay       INTEGER NOT NULL,
        width            INTEGER NOT NULL,
        height           INTEGER NOT NULL,
        size             INTEGER NOT NULL
      );
      CREATE INDEX snapshot_records_stream
        ON snapshot_records (domain_name, app_name, stream_name, create_timestamp);
      CREATE INDEX snapshot_records_time ON snapshot_records (create_timestamp);
      CREATE INDEX snapshot_records_overlay
        ON snapshot_records (oss_endpoint, oss_bucket, oss_object) WHERE is_overlay = 1;

      CREATE TABLE stream_sequences (
        domain_name   TEXT NOT NULL,
        app_name      TEXT NOT NULL,
        stream_name   TEXT NOT NULL,
        last_sequence INTEGER NOT NULL,
        PRIMARY KEY (domain_name, app_name, stream_name)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'callback outbox',
    sql: `
      CREATE TABLE callback_outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id        TEXT NOT NULL UNIQUE,
        event           TEXT NOT NULL,
        domain_name     TEXT NOT NULL,
        url             TEXT NOT NULL,
        origin          TEXT NOT NULL,
        body            TEXT NOT NULL,
        state           TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'delivering', 'delivered', 'dead')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_status     INTEGER,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      CREATE INDEX callback_outbox_due ON callback_outbox (state, next_attempt_at);
      CREATE INDEX callback_outbox_origin_due
        ON callback_outbox (state, origin, next_attempt_at, id);
      CREATE INDEX callback_outbox_state_updated ON callback_outbox (state, updated_at);
    `,
  },
  { version: 3, name: 'snapshot jobs, templates and media', sql: SNAPSHOT_JOBS_SQL },
  {
    version: 4,
    name: 'live snapshot templates and jobs',
    sql: `
      CREATE TABLE live_snapshot_templates (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        template_id      TEXT NOT NULL UNIQUE,
        template_name    TEXT NOT NULL,
        type             TEXT NOT NULL CHECK (type IN ('system', 'custom')),
        time_interval    INTEGER NOT NULL,
        overwrite_format TEXT,
        sequence_format  TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        CHECK (overwrite_format IS NOT NULL OR sequence_format IS NOT NULL)
      );
      CREATE INDEX live_snapshot_templates_created ON live_snapshot_templates (created_at, id);

      CREATE TABLE live_snapshot_jobs (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id           TEXT NOT NULL UNIQUE,
        job_name         TEXT NOT NULL,
        template_id      TEXT NOT NULL,
        template_name    TEXT NOT NULL,
        time_interval    INTEGER NOT NULL,
        overwrite_format TEXT,
        sequence_format  TEXT,
        callback_url     TEXT,
        input_type       TEXT NOT NULL,
        input_url        TEXT NOT NULL,
        storage_type     TEXT NOT NULL,
        output_endpoint  TEXT NOT NULL,
        output_bucket    TEXT NOT NULL,
        storage_endpoint TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('init', 'started', 'paused')),
        active           INTEGER NOT NULL,
        last_error       TEXT,
        last_error_at    INTEGER,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
      );
      CREATE INDEX live_snapshot_jobs_created ON live_snapshot_jobs (created_at, id);
      CREATE INDEX live_snapshot_jobs_active ON live_snapshot_jobs (active);
    `,
  },
];

/** Applies pending migrations in one transaction; returns the resulting schema version. */
export function applyMigrations(db: Database, migrations: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const run = db.transaction((): number => {
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_version').all() as Array<{ version: number }>).map(
        (r) => r.version,
      ),
    );
    const current = Math.max(0, ...applied);
    const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
    if (current > latest) {
      throw new PermanentError(
        'CATALOG_SCHEMA_NEWER',
        `database schema version ${current} is newer than this build supports (${latest})`,
      );
    }
    const insert = db.prepare(
      'INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)',
    );
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      // By the set of applied versions, not the highest: migrations written in parallel may
      // land out of order (each touches its own tables), and a database that got a later one
      // first still gets the earlier one.
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      insert.run(m.version, m.name, Date.now());
    }
    return Math.max(current, latest);
  });
  return run.immediate();
}
