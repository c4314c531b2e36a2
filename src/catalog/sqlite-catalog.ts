import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { LivesnapError } from '../errors.js';
import type {
  AccessKeyRecord,
  CallbackClaimQuery,
  CallbackCompletion,
  CallbackCounts,
  CallbackEntry,
  CallbackEntryInput,
  CallbackListQuery,
  CallbackListResult,
  CallbackPruneQuery,
  CallbackRedeliverQuery,
  Catalog,
  DailySnapshotCount,
  DomainNotifySettings,
  ListResult,
  LiveJobActivation,
  LiveJobListQuery,
  LiveJobStateChange,
  LiveSnapshotJob,
  LiveSnapshotTemplate,
  LiveTemplateFields,
  LiveTemplateListQuery,
  RecordDeleteResult,
  RecordListQuery,
  RecordPage,
  RuleListQuery,
  RuleListResult,
  SnapshotRecord,
  SnapshotRule,
  SnapshotRuleFields,
  StreamKey,
} from './catalog-types.js';
import { applyMigrations, SQLITE_MIGRATIONS } from './migrations.js';
import { SqliteCallbacks } from './sqlite-callbacks.js';
import { SqliteLiveJobs } from './sqlite-live-jobs.js';
import { SqliteSnapshotJobs } from './sqlite-snapshot-jobs.js';
import type * as Jobs from './snapshot-job-types.js';
import { SqliteRecords } from './sqlite-records.js';
import { fromKeyRow, fromNotifyRow, fromRuleRow, ruleFieldArgs } from './sqlite-rows.js';
import type { KeyRow, NotifyRow, RuleRow } from './sqlite-rows.js';

export interface SqliteCatalogOptions {
  /** Database file, or `:memory:`. The directory is created if missing. */
  path: string;
}

const RULE_COLUMNS =
  'domain_name, app_name, time_interval, oss_endpoint, oss_bucket, overwrite_oss_object, sequence_oss_object, callback, created_at, updated_at';

/**
 * The embedded catalog: one SQLite file (WAL, synchronous=FULL so a change is durable
 * once the call returns). better-sqlite3 is synchronous; the async methods simply wrap it.
 */
export class SqliteCatalog implements Catalog {
  private database: Database | undefined;
  private recordsStore: SqliteRecords | undefined;
  private callbackStore: SqliteCallbacks | undefined;
  private liveJobStore: SqliteLiveJobs | undefined;
  private snapshotJobStore: SqliteSnapshotJobs | undefined;

  constructor(private readonly opts: SqliteCatalogOptions) {}

  async start(): Promise<void> {
    if (this.database) return;
    if (this.opts.path !== ':memory:') mkdirSync(dirname(this.opts.path), { recursive: true });
    const db = new BetterSqlite3(this.opts.path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      applyMigrations(db, SQLITE_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    this.database = db;
    this.recordsStore = new SqliteRecords(db);
    this.callbackStore = new SqliteCallbacks(db);
    this.liveJobStore = new SqliteLiveJobs(db);
    this.snapshotJobStore = new SqliteSnapshotJobs(db, this.callbackStore);
  }

  async close(): Promise<void> {
    this.database?.close();
    this.database = undefined;
    this.recordsStore = undefined;
    this.callbackStore = undefined;
    this.liveJobStore = undefined;
    this.snapshotJobStore = undefined;
  }

  private get db(): Database {
    if (!this.database) throw new LivesnapError('CATALOG_CLOSED', 'catalog is not started');
    return this.database;
  }

  private get records(): SqliteRecords {
    if (!this.recordsStore) throw new LivesnapError('CATALOG_CLOSED', 'catalog is not started');
    return this.recordsStore;
  }

  private get callbacks(): SqliteCallbacks {
    if (!this.callbackStore) throw new LivesnapError('CATALOG_CLOSED', 'catalog is not started');
    return this.callbackStore;
  }

  private get liveJobs(): SqliteLiveJobs {
    if (!this.liveJobStore) throw new LivesnapError('CATALOG_CLOSED', 'catalog is not started');
    return this.liveJobStore;
  }

  private get snapshotJobs(): SqliteSnapshotJobs {
    if (!this.snapshotJobStore) {
      throw new LivesnapError('CATALOG_CLOSED', 'catalog is not started');
    }
    return this.snapshotJobStore;
  }

  // ── access keys ──

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = this.db
      .prepare('SELECT * FROM access_keys WHERE access_key_id = ?')
      .get(accessKeyId) as KeyRow | undefined;
    return row && fromKeyRow(row);
  }

  async putAccessKey(key: AccessKeyRecord): Promise<void> {
    this.putKeySync(key);
  }

  private putKeySync(key: AccessKeyRecord): void {
    this.db
      .prepare(
        `INSERT INTO access_keys (access_key_id, access_key_secret, active, is_root, created_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (access_key_id) DO UPDATE SET access_key_secret = excluded.access_key_secret,
           active = excluded.active, is_root = excluded.is_root`,
      )
      .run(
        key.accessKeyId,
        key.accessKeySecret,
        key.active ? 1 : 0,
        key.isRoot ? 1 : 0,
        key.createdAt,
      );
  }

  async setRootAccessKey(key: Omit<AccessKeyRecord, 'isRoot' | 'active'>): Promise<void> {
    const tx = this.db.transaction(() => {
      this.db
        .prepare('UPDATE access_keys SET active = 0 WHERE is_root = 1 AND access_key_id <> ?')
        .run(key.accessKeyId);
      this.putKeySync({ ...key, active: true, isRoot: true });
    });
    tx.immediate();
  }

  async setAccessKeyActive(accessKeyId: string, active: boolean): Promise<boolean> {
    return (
      this.db
        .prepare('UPDATE access_keys SET active = ? WHERE access_key_id = ?')
        .run(active ? 1 : 0, accessKeyId).changes > 0
    );
  }

  async listAccessKeys(): Promise<AccessKeyRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM access_keys ORDER BY created_at, access_key_id')
      .all() as KeyRow[];
    return rows.map(fromKeyRow);
  }

  // ── snapshot rules ──

  async insertRule(rule: SnapshotRule): Promise<boolean> {
    const result = this.db
      .prepare(
        `INSERT INTO snapshot_rules (${RULE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)
         ON CONFLICT (domain_name, app_name) DO NOTHING`,
      )
      .run(
        rule.domainName.toLowerCase(),
        rule.appName,
        ...ruleFieldArgs(rule),
        rule.createdAt,
        rule.updatedAt,
      );
    return result.changes > 0;
  }

  async updateRule(
    domainName: string,
    appName: string,
    apply: (current: SnapshotRule) => SnapshotRuleFields,
    now: number,
  ): Promise<SnapshotRule | undefined> {
    const tx = this.db.transaction((): SnapshotRule | undefined => {
      const current = this.getRuleSync(domainName, appName);
      if (!current) return undefined;
      const next = apply(current);
      this.db
        .prepare(
          `UPDATE snapshot_rules SET time_interval = ?, oss_endpoint = ?, oss_bucket = ?,
             overwrite_oss_object = ?, sequence_oss_object = ?, callback = ?, updated_at = ?
           WHERE domain_name = ? AND app_name = ?`,
        )
        .run(...ruleFieldArgs(next), now, domainName.toLowerCase(), appName);
      return this.getRuleSync(domainName, appName);
    });
    return tx.immediate();
  }

  async deleteRule(domainName: string, appName: string): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM snapshot_rules WHERE domain_name = ? AND app_name = ?')
        .run(domainName.toLowerCase(), appName).changes > 0
    );
  }

  async getRule(domainName: string, appName: string): Promise<SnapshotRule | undefined> {
    return this.getRuleSync(domainName, appName);
  }

  private getRuleSync(domainName: string, appName: string): SnapshotRule | undefined {
    const row = this.db
      .prepare(`SELECT ${RULE_COLUMNS} FROM snapshot_rules WHERE domain_name = ? AND app_name = ?`)
      .get(domainName.toLowerCase(), appName) as RuleRow | undefined;
    return row && fromRuleRow(row);
  }

  async listRules(q: RuleListQuery): Promise<RuleListResult> {
    const where = q.appName === undefined ? 'domain_name = ?' : 'domain_name = ? AND app_name = ?';
    const args =
      q.appName === undefined
        ? [q.domainName.toLowerCase()]
        : [q.domainName.toLowerCase(), q.appName];
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const read = this.db.transaction((): RuleListResult => {
      const { n } = this.db
        .prepare(`SELECT COUNT(*) AS n FROM snapshot_rules WHERE ${where}`)
        .get(...args) as { n: number };
      const rows = this.db
        .prepare(
          `SELECT ${RULE_COLUMNS} FROM snapshot_rules WHERE ${where}
           ORDER BY created_at ${dir}, id ${dir} LIMIT ? OFFSET ?`,
        )
        .all(...args, q.limit, q.offset) as RuleRow[];
      return { total: n, items: rows.map(fromRuleRow) };
    });
    return read();
  }

  async resolveRule(domainName: string, appName: string): Promise<SnapshotRule | undefined> {
    const row = this.db
      .prepare(
        `SELECT ${RULE_COLUMNS} FROM snapshot_rules
         WHERE domain_name = ? AND (app_name = ? OR app_name = '*')
         ORDER BY app_name = '*' LIMIT 1`,
      )
      .get(domainName.toLowerCase(), appName) as RuleRow | undefined;
    return row && fromRuleRow(row);
  }

  // ── domain notify settings ──

  async getNotifySettings(domainName: string): Promise<DomainNotifySettings | undefined> {
    return this.getNotifySync(domainName);
  }

  private getNotifySync(domainName: string): DomainNotifySettings | undefined {
    const row = this.db
      .prepare('SELECT * FROM domain_notify WHERE domain_name = ?')
      .get(domainName.toLowerCase()) as NotifyRow | undefined;
    return row && fromNotifyRow(row);
  }

  async updateNotifySettings(
    domainName: string,
    apply: (
      current: DomainNotifySettings | undefined,
    ) => Omit<DomainNotifySettings, 'domainName' | 'updatedAt'> | undefined,
    now: number,
  ): Promise<DomainNotifySettings | undefined> {
    const domain = domainName.toLowerCase();
    const tx = this.db.transaction((): DomainNotifySettings | undefined => {
      const next = apply(this.getNotifySync(domain));
      if (next === undefined) {
        this.db.prepare('DELETE FROM domain_notify WHERE domain_name = ?').run(domain);
        return undefined;
      }
      this.db
        .prepare(
          `INSERT INTO domain_notify (domain_name, notify_url, auth_enabled, auth_key, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (domain_name) DO UPDATE SET notify_url = excluded.notify_url,
             auth_enabled = excluded.auth_enabled, auth_key = excluded.auth_key,
             updated_at = excluded.updated_at`,
        )
        .run(domain, next.notifyUrl ?? null, next.authEnabled ? 1 : 0, next.authKey ?? null, now);
      return this.getNotifySync(domain);
    });
    return tx.immediate();
  }

  // ── snapshot records ──

  async insertSnapshotRecord(
    record: SnapshotRecord,
    callbacks: CallbackEntryInput[] = [],
  ): Promise<void> {
    if (callbacks.length === 0) {
      this.records.insert(record);
      return;
    }
    const tx = this.db.transaction(() => {
      this.records.insert(record);
      this.callbacks.insertMany(callbacks);
    });
    tx.immediate();
  }

  async listSnapshotRecords(query: RecordListQuery): Promise<RecordPage> {
    return this.records.list(query);
  }

  async findSnapshotRecords(stream: StreamKey, ts: number[]): Promise<SnapshotRecord[]> {
    return this.records.find(stream, ts);
  }

  async deleteSnapshotRecords(stream: StreamKey, ts: number[]): Promise<RecordDeleteResult> {
    return this.records.delete(stream, ts);
  }

  async countSnapshotsByDay(
    startMs: number,
    endMs: number,
    domainNames?: string[],
  ): Promise<DailySnapshotCount[]> {
    return this.records.countByDay(startMs, endMs, domainNames);
  }

  async pruneSnapshotRecords(beforeMs: number): Promise<number> {
    return this.records.prune(beforeMs);
  }

  async nextSequence(stream: StreamKey): Promise<number> {
    return this.records.nextSequence(stream);
  }

  async isKnownStream(stream: StreamKey): Promise<boolean> {
    return this.records.isKnownStream(stream);
  }

  // ── callback outbox ──

  async enqueueCallbacks(entries: CallbackEntryInput[]): Promise<void> {
    this.callbacks.enqueue(entries);
  }

  async claimCallbacks(query: CallbackClaimQuery): Promise<CallbackEntry[]> {
    return this.callbacks.claim(query);
  }

  async completeCallbacks(completions: CallbackCompletion[]): Promise<void> {
    this.callbacks.complete(completions);
  }

  async releaseCallbacks(now: number): Promise<number> {
    return this.callbacks.release(now);
  }

  async nextCallbackDueAt(): Promise<number | undefined> {
    return this.callbacks.nextDueAt();
  }

  async getCallback(eventId: string): Promise<CallbackEntry | undefined> {
    return this.callbacks.get(eventId);
  }

  async listCallbacks(query: CallbackListQuery): Promise<CallbackListResult> {
    return this.callbacks.list(query);
  }

  async redeliverCallbacks(query: CallbackRedeliverQuery): Promise<number> {
    return this.callbacks.redeliver(query);
  }

  async pruneCallbacks(query: CallbackPruneQuery): Promise<number> {
    return this.callbacks.prune(query);
  }

  async countCallbacks(): Promise<CallbackCounts> {
    return this.callbacks.counts();
  }

  // ── live snapshot templates and jobs (src/catalog/sqlite-live-jobs.ts) ──

  async insertLiveTemplate(template: LiveSnapshotTemplate): Promise<void> {
    this.liveJobs.insertTemplate(template);
  }

  async updateLiveTemplate(
    templateId: string,
    fields: LiveTemplateFields,
    now: number,
  ): Promise<LiveSnapshotTemplate | undefined> {
    return this.liveJobs.updateTemplate(templateId, fields, now);
  }

  async getLiveTemplate(templateId: string): Promise<LiveSnapshotTemplate | undefined> {
    return this.liveJobs.getTemplate(templateId);
  }

  async listLiveTemplates(q: LiveTemplateListQuery): Promise<ListResult<LiveSnapshotTemplate>> {
    return this.liveJobs.listTemplates(q);
  }

  async deleteLiveTemplate(templateId: string): Promise<boolean> {
    return this.liveJobs.deleteTemplate(templateId);
  }

  async insertLiveJob(job: LiveSnapshotJob, maxActive: number): Promise<boolean> {
    return this.liveJobs.insertJob(job, maxActive);
  }

  async getLiveJob(jobId: string): Promise<LiveSnapshotJob | undefined> {
    return this.liveJobs.getJob(jobId);
  }

  async listLiveJobs(q: LiveJobListQuery): Promise<ListResult<LiveSnapshotJob>> {
    return this.liveJobs.listJobs(q);
  }

  async listActiveLiveJobs(): Promise<LiveSnapshotJob[]> {
    return this.liveJobs.listActiveJobs();
  }

  async activateLiveJob(jobId: string, maxActive: number, now: number): Promise<LiveJobActivation> {
    return this.liveJobs.activateJob(jobId, maxActive, now);
  }

  async updateLiveJobState(
    jobId: string,
    change: LiveJobStateChange,
    now: number,
  ): Promise<boolean> {
    return this.liveJobs.updateJobState(jobId, change, now);
  }

  async deleteSequenceSnapshotRecords(stream: StreamKey, ts: number[]): Promise<SnapshotRecord[]> {
    return this.liveJobs.deleteSequenceRecords(stream, ts);
  }

  // ── snapshot jobs, templates, media (src/catalog/sqlite-snapshot-jobs.ts) ──

  async insertSnapshotJob(job: Jobs.SnapshotJobRecord): Promise<void> {
    this.snapshotJobs.insert(job);
  }

  async getSnapshotJob(jobId: string): Promise<Jobs.SnapshotJobRecord | undefined> {
    return this.snapshotJobs.get(jobId);
  }

  async listSnapshotJobs(query: Jobs.SnapshotJobQuery): Promise<Jobs.SnapshotJobPage> {
    return this.snapshotJobs.list(query);
  }

  async claimSnapshotJob(pipelineId: string, now: number) {
    return this.snapshotJobs.claim(pipelineId, now);
  }

  async recordSnapshotJobImages(jobId: string, images: string[], now: number): Promise<void> {
    this.snapshotJobs.recordImages(jobId, images, now);
  }

  async finishSnapshotJob(
    jobId: string,
    outcome: Jobs.SnapshotJobOutcome,
    now: number,
    callbacks: CallbackEntryInput[] = [],
  ): Promise<Jobs.SnapshotJobRecord | undefined> {
    return this.snapshotJobs.finish(jobId, outcome, now, callbacks);
  }

  async requestSnapshotJobCancel(jobId: string, now: number) {
    return this.snapshotJobs.requestCancel(jobId, now);
  }

  async requeueSnapshotJob(jobId: string, now: number): Promise<boolean> {
    return this.snapshotJobs.requeue(jobId, now);
  }

  async recoverSnapshotJobs(now: number, maxAttempts: number): Promise<number> {
    return this.snapshotJobs.recover(now, maxAttempts);
  }

  async reassignSnapshotJobs(known: string[], fallback: string, now: number): Promise<number> {
    return this.snapshotJobs.reassign(known, fallback, now);
  }

  async insertSnapshotTemplate(template: Jobs.SnapshotTemplateRecord): Promise<boolean> {
    return this.snapshotJobs.insertTemplate(template);
  }

  async getSnapshotTemplate(templateId: string) {
    return this.snapshotJobs.getTemplate(templateId);
  }

  async listSnapshotTemplates(query: Jobs.SnapshotTemplateQuery) {
    return this.snapshotJobs.listTemplates(query);
  }

  async updateSnapshotTemplate(
    templateId: string,
    apply: Parameters<Catalog['updateSnapshotTemplate']>[1],
    now: number,
  ) {
    return this.snapshotJobs.updateTemplate(templateId, apply, now);
  }

  async deleteSnapshotTemplate(templateId: string): Promise<boolean> {
    return this.snapshotJobs.deleteTemplate(templateId);
  }

  async getDefaultSnapshotTemplate(subtype: number): Promise<string | undefined> {
    return this.snapshotJobs.getDefault(subtype);
  }

  async setDefaultSnapshotTemplate(subtype: number, templateId: string): Promise<void> {
    this.snapshotJobs.setDefault(subtype, templateId);
  }

  async insertMediaAsset(media: Jobs.MediaAssetRecord): Promise<void> {
    this.snapshotJobs.insertMedia(media);
  }

  async getMediaAsset(mediaId: string): Promise<Jobs.MediaAssetRecord | undefined> {
    return this.snapshotJobs.getMedia(mediaId);
  }
}
