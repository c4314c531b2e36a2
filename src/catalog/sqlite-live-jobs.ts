import type { Database } from 'better-sqlite3';
import type {
  ListResult,
  LiveJobActivation,
  LiveJobListQuery,
  LiveJobStateChange,
  LiveJobStatus,
  LiveSnapshotJob,
  LiveSnapshotTemplate,
  LiveTemplateFields,
  LiveTemplateListQuery,
  LiveTemplateType,
  SnapshotRecord,
  StreamKey,
} from './catalog-types.js';

/** Live snapshot templates and jobs on SQLite (synchronous; wrapped by SqliteCatalog). */

interface TemplateRow {
  template_id: string;
  template_name: string;
  type: LiveTemplateType;
  time_interval: number;
  overwrite_format: string | null;
  sequence_format: string | null;
  created_at: number;
  updated_at: number;
}

interface JobRow {
  job_id: string;
  job_name: string;
  template_id: string;
  template_name: string;
  time_interval: number;
  overwrite_format: string | null;
  sequence_format: string | null;
  callback_url: string | null;
  input_type: string;
  input_url: string;
  storage_type: string;
  output_endpoint: string;
  output_bucket: string;
  storage_endpoint: string;
  status: LiveJobStatus;
  active: number;
  last_error: string | null;
  last_error_at: number | null;
  created_at: number;
  updated_at: number;
}

const TEMPLATE_COLUMNS =
  'template_id, template_name, type, time_interval, overwrite_format, sequence_format, created_at, updated_at';

const JOB_COLUMNS =
  'job_id, job_name, template_id, template_name, time_interval, overwrite_format, sequence_format, callback_url, input_type, input_url, storage_type, output_endpoint, output_bucket, storage_endpoint, status, active, last_error, last_error_at, created_at, updated_at';

/** At most this many ids in one `IN (…)` (SQLite's variable limit is far above). */
const MAX_IN_LIST = 500;

function toTemplate(r: TemplateRow): LiveSnapshotTemplate {
  const t: LiveSnapshotTemplate = {
    templateId: r.template_id,
    templateName: r.template_name,
    type: r.type,
    timeInterval: r.time_interval,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.overwrite_format !== null) t.overwriteFormat = r.overwrite_format;
  if (r.sequence_format !== null) t.sequenceFormat = r.sequence_format;
  return t;
}

function toJob(r: JobRow): LiveSnapshotJob {
  const j: LiveSnapshotJob = {
    jobId: r.job_id,
    jobName: r.job_name,
    templateId: r.template_id,
    templateName: r.template_name,
    timeInterval: r.time_interval,
    inputType: r.input_type,
    inputUrl: r.input_url,
    storageType: r.storage_type,
    outputEndpoint: r.output_endpoint,
    outputBucket: r.output_bucket,
    storageEndpoint: r.storage_endpoint,
    status: r.status,
    active: r.active === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.overwrite_format !== null) j.overwriteFormat = r.overwrite_format;
  if (r.sequence_format !== null) j.sequenceFormat = r.sequence_format;
  if (r.callback_url !== null) j.callbackUrl = r.callback_url;
  if (r.last_error !== null) j.lastError = r.last_error;
  if (r.last_error_at !== null) j.lastErrorAt = r.last_error_at;
  return j;
}

/** `%kw%` for LIKE, with the pattern characters of `kw` escaped by `\`. */
function likePattern(keyword: string): string {
  return `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class SqliteLiveJobs {
  constructor(private readonly db: Database) {}

  // ── templates ──

  insertTemplate(t: LiveSnapshotTemplate): void {
    this.db
      .prepare(`INSERT INTO live_snapshot_templates (${TEMPLATE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)`)
      .run(
        t.templateId,
        t.templateName,
        t.type,
        t.timeInterval,
        t.overwriteFormat ?? null,
        t.sequenceFormat ?? null,
        t.createdAt,
        t.updatedAt,
      );
  }

  updateTemplate(
    templateId: string,
    f: LiveTemplateFields,
    now: number,
  ): LiveSnapshotTemplate | undefined {
    const changed = this.db
      .prepare(
        `UPDATE live_snapshot_templates SET template_name = ?, time_interval = ?,
           overwrite_format = ?, sequence_format = ?, updated_at = ?
         WHERE template_id = ?`,
      )
      .run(
        f.templateName,
        f.timeInterval,
        f.overwriteFormat ?? null,
        f.sequenceFormat ?? null,
        now,
        templateId,
      ).changes;
    return changed > 0 ? this.getTemplate(templateId) : undefined;
  }

  getTemplate(templateId: string): LiveSnapshotTemplate | undefined {
    const row = this.db
      .prepare(`SELECT ${TEMPLATE_COLUMNS} FROM live_snapshot_templates WHERE template_id = ?`)
      .get(templateId) as TemplateRow | undefined;
    return row && toTemplate(row);
  }

  listTemplates(q: LiveTemplateListQuery): ListResult<LiveSnapshotTemplate> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.keyword !== undefined) {
      where.push("(template_id = ? OR template_name LIKE ? ESCAPE '\\')");
      args.push(q.keyword, likePattern(q.keyword));
    } else if (q.templateIds !== undefined) {
      const ids = [...new Set(q.templateIds)].slice(0, MAX_IN_LIST);
      where.push(ids.length > 0 ? `template_id IN (${ids.map(() => '?').join(',')})` : '0');
      args.push(...ids);
    }
    if (q.type !== undefined) {
      where.push('type = ?');
      args.push(q.type);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const read = this.db.transaction((): ListResult<LiveSnapshotTemplate> => {
      const { n } = this.db
        .prepare(`SELECT COUNT(*) AS n FROM live_snapshot_templates ${clause}`)
        .get(...args) as { n: number };
      const rows = this.db
        .prepare(
          `SELECT ${TEMPLATE_COLUMNS} FROM live_snapshot_templates ${clause}
           ORDER BY created_at ${dir}, id ${dir} LIMIT ? OFFSET ?`,
        )
        .all(...args, q.limit, q.offset) as TemplateRow[];
      return { total: n, items: rows.map(toTemplate) };
    });
    return read();
  }

  deleteTemplate(templateId: string): boolean {
    return (
      this.db.prepare('DELETE FROM live_snapshot_templates WHERE template_id = ?').run(templateId)
        .changes > 0
    );
  }

  // ── jobs ──

  private activeCount(): number {
    const { n } = this.db
      .prepare('SELECT COUNT(*) AS n FROM live_snapshot_jobs WHERE active = 1')
      .get() as { n: number };
    return n;
  }

  insertJob(j: LiveSnapshotJob, maxActive: number): boolean {
    const tx = this.db.transaction((): boolean => {
      if (j.active && this.activeCount() >= maxActive) return false;
      this.db
        .prepare(
          `INSERT INTO live_snapshot_jobs (${JOB_COLUMNS})
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
        )
        .run(
          j.jobId,
          j.jobName,
          j.templateId,
          j.templateName,
          j.timeInterval,
          j.overwriteFormat ?? null,
          j.sequenceFormat ?? null,
          j.callbackUrl ?? null,
          j.inputType,
          j.inputUrl,
          j.storageType,
          j.outputEndpoint,
          j.outputBucket,
          j.storageEndpoint,
          j.status,
          j.active ? 1 : 0,
          j.lastError ?? null,
          j.lastErrorAt ?? null,
          j.createdAt,
          j.updatedAt,
        );
      return true;
    });
    return tx.immediate();
  }

  getJob(jobId: string): LiveSnapshotJob | undefined {
    const row = this.db
      .prepare(`SELECT ${JOB_COLUMNS} FROM live_snapshot_jobs WHERE job_id = ?`)
      .get(jobId) as JobRow | undefined;
    return row && toJob(row);
  }

  listJobs(q: LiveJobListQuery): ListResult<LiveSnapshotJob> {
    const where = ['created_at >= ?', 'created_at <= ?'];
    const args: unknown[] = [q.startMs, q.endMs];
    if (q.status !== undefined) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.keyword !== undefined) {
      where.push("(job_id = ? OR job_name LIKE ? ESCAPE '\\')");
      args.push(q.keyword, likePattern(q.keyword));
    }
    const clause = `WHERE ${where.join(' AND ')}`;
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const read = this.db.transaction((): ListResult<LiveSnapshotJob> => {
      const { n } = this.db
        .prepare(`SELECT COUNT(*) AS n FROM live_snapshot_jobs ${clause}`)
        .get(...args) as { n: number };
      const rows = this.db
        .prepare(
          `SELECT ${JOB_COLUMNS} FROM live_snapshot_jobs ${clause}
           ORDER BY created_at ${dir}, id ${dir} LIMIT ? OFFSET ?`,
        )
        .all(...args, q.limit, q.offset) as JobRow[];
      return { total: n, items: rows.map(toJob) };
    });
    return read();
  }

  listActiveJobs(): LiveSnapshotJob[] {
    const rows = this.db
      .prepare(
        `SELECT ${JOB_COLUMNS} FROM live_snapshot_jobs WHERE active = 1 ORDER BY created_at, id`,
      )
      .all() as JobRow[];
    return rows.map(toJob);
  }

  activateJob(jobId: string, maxActive: number, now: number): LiveJobActivation {
    const tx = this.db.transaction((): LiveJobActivation => {
      const row = this.db
        .prepare('SELECT active FROM live_snapshot_jobs WHERE job_id = ?')
        .get(jobId) as { active: number } | undefined;
      if (!row) return 'not-found';
      if (row.active === 1) return 'already-active';
      if (this.activeCount() >= maxActive) return 'limit';
      this.db
        .prepare(
          `UPDATE live_snapshot_jobs SET active = 1, status = 'init', last_error = NULL,
             last_error_at = NULL, updated_at = ? WHERE job_id = ?`,
        )
        .run(now, jobId);
      return 'activated';
    });
    return tx.immediate();
  }

  updateJobState(jobId: string, c: LiveJobStateChange, now: number): boolean {
    const sets: string[] = ['updated_at = ?'];
    const args: unknown[] = [now];
    if (c.status !== undefined) {
      sets.push('status = ?');
      args.push(c.status);
    }
    if (c.active !== undefined) {
      sets.push('active = ?');
      args.push(c.active ? 1 : 0);
    }
    if (c.lastError !== undefined) {
      sets.push('last_error = ?');
      args.push(c.lastError);
    }
    if (c.lastErrorAt !== undefined) {
      sets.push('last_error_at = ?');
      args.push(c.lastErrorAt);
    }
    return (
      this.db
        .prepare(`UPDATE live_snapshot_jobs SET ${sets.join(', ')} WHERE job_id = ?`)
        .run(...args, jobId).changes > 0
    );
  }

  // ── job files ──

  deleteSequenceRecords(stream: StreamKey, timestamps: number[]): SnapshotRecord[] {
    const unique = [...new Set(timestamps)];
    const tx = this.db.transaction((): SnapshotRecord[] => {
      const out: SnapshotRecord[] = [];
      for (let i = 0; i < unique.length; i += MAX_IN_LIST) {
        const part = unique.slice(i, i + MAX_IN_LIST);
        const rows = this.db
          .prepare(
            `DELETE FROM snapshot_records
             WHERE domain_name = ? AND app_name = ? AND stream_name = ? AND is_overlay = 0
               AND create_timestamp IN (${part.map(() => '?').join(',')})
             RETURNING domain_name, app_name, stream_name, oss_endpoint, oss_bucket, oss_object,
               create_timestamp, width, height, size`,
          )
          .all(
            stream.domainName.toLowerCase(),
            stream.appName,
            stream.streamName,
            ...part,
          ) as Array<{
          domain_name: string;
          app_name: string;
          stream_name: string;
          oss_endpoint: string;
          oss_bucket: string;
          oss_object: string;
          create_timestamp: number;
          width: number;
          height: number;
          size: number;
        }>;
        for (const r of rows) {
          out.push({
            domainName: r.domain_name,
            appName: r.app_name,
            streamName: r.stream_name,
            ossEndpoint: r.oss_endpoint,
            ossBucket: r.oss_bucket,
            ossObject: r.oss_object,
            createTimestamp: r.create_timestamp,
            isOverlay: false,
            width: r.width,
            height: r.height,
            size: r.size,
          });
        }
      }
      return out.sort((a, b) => a.createTimestamp - b.createTimestamp);
    });
    return tx.immediate();
  }
}
