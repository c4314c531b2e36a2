/**
 * Migration 3 of the SQLite schema (see migrations.ts): snapshot jobs, snapshot templates
 * and registered media. Released: never edit, add a new migration.
 */
export const SNAPSHOT_JOBS_SQL = `
  CREATE TABLE snapshot_jobs (
    job_id           TEXT PRIMARY KEY,
    name             TEXT,
    type             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'success', 'fail')),
    code             TEXT,
    message          TEXT,
    template_id      TEXT NOT NULL,
    template_config  TEXT NOT NULL,
    pipeline_id      TEXT NOT NULL,
    user_data        TEXT,
    trigger_source   TEXT NOT NULL,
    input_type       TEXT NOT NULL,
    input_media      TEXT NOT NULL,
    output_type      TEXT NOT NULL,
    output_media     TEXT NOT NULL,
    output_endpoint  TEXT NOT NULL,
    output_bucket    TEXT NOT NULL,
    output_object    TEXT NOT NULL,
    images           TEXT NOT NULL DEFAULT '[]',
    vtt              TEXT,
    count            INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    notify_url       TEXT,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    modified_at      INTEGER NOT NULL,
    finished_at      INTEGER
  );
  CREATE INDEX snapshot_jobs_queue ON snapshot_jobs (state, pipeline_id, created_at);
  CREATE INDEX snapshot_jobs_created ON snapshot_jobs (created_at, job_id);

  CREATE TABLE snapshot_templates (
    template_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    subtype     INTEGER NOT NULL,
    config      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    modified_at INTEGER NOT NULL
  );
  CREATE INDEX snapshot_templates_subtype ON snapshot_templates (subtype, created_at);

  CREATE TABLE snapshot_template_defaults (
    subtype     INTEGER PRIMARY KEY,
    template_id TEXT NOT NULL
  );

  CREATE TABLE media_assets (
    media_id      TEXT PRIMARY KEY,
    input_url     TEXT NOT NULL,
    title         TEXT,
    description   TEXT,
    media_type    TEXT,
    business_type TEXT,
    user_data     TEXT,
    created_at    INTEGER NOT NULL,
    modified_at   INTEGER NOT NULL
  );
`;
