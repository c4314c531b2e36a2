import type { Database } from 'better-sqlite3';
import type { CallbackEntryInput } from './callback-types.js';
import type { SqliteCallbacks } from './sqlite-callbacks.js';
import {
  SnapshotJobState,
  type SnapshotJobOutcome,
  type SnapshotJobPage,
  type SnapshotJobQuery,
  type SnapshotJobRecord,
} from './snapshot-job-types.js';
import { optional, SqliteSnapshotTemplates } from './sqlite-snapshot-templates.js';

interface JobRow {
  job_id: string;
  name: string | null;
  type: string;
  state: SnapshotJobState;
  code: string | null;
  message: string | null;
  template_id: string;
  template_config: string;
  pipeline_id: string;
  user_data: string | null;
  trigger_source: string;
  input_type: string;
  input_media: string;
  output_type: string;
  output_media: string;
  output_endpoint: string;
  output_bucket: string;
  output_object: string;
  images: string;
  vtt: string | null;
  count: number;
  attempts: number;
  cancel_requested: number;
  notify_url: string | null;
  created_at: number;
  started_at: number | null;
  modified_at: number;
  finished_at: number | null;
}

const JOB_COLUMNS = [
  'job_id',
  'name',
  'type',
  'state',
  'code',
  'message',
  'template_id',
  'template_config',
  'pipeline_id',
  'user_data',
  'trigger_source',
  'input_type',
  'input_media',
  'output_type',
  'output_media',
  'output_endpoint',
  'output_bucket',
  'output_object',
  'images',
  'vtt',
  'count',
  'attempts',
  'cancel_requested',
  'notify_url',
  'created_at',
  'started_at',
  'modified_at',
  'finished_at',
] as const;

const UNFINISHED = `state IN ('${SnapshotJobState.Queued}', '${SnapshotJobState.Running}')`;

function toJob(r: JobRow): SnapshotJobRecord {
  return {
    jobId: r.job_id,
    ...optional('name', r.name),
    type: r.type,
    state: r.state,
    ...optional('code', r.code),
    ...optional('message', r.message),
    templateId: r.template_id,
    templateConfig: r.template_config,
    pipelineId: r.pipeline_id,
    ...optional('userData', r.user_data),
    triggerSource: r.trigger_source,
    input: { type: r.input_type, media: r.input_media },
    output: { type: r.output_type, media: r.output_media },
    outputEndpoint: r.output_endpoint,
    outputBucket: r.output_bucket,
    outputObject: r.output_object,
    images: JSON.parse(r.images) as string[],
    ...optional('vtt', r.vtt),
    count: r.count,
    attempts: r.attempts,
    cancelRequested: r.cancel_requested === 1,
    ...optional('notifyUrl', r.notify_url),
    createdAt: r.created_at,
    ...optional('startedAt', r.started_at),
    modifiedAt: r.modified_at,
    ...optional('finishedAt', r.finished_at),
  };
}

function jobArgs(j: SnapshotJobRecord): unknown[] {
  return [
    j.jobId,
    j.name ?? null,
    j.type,
    j.state,
    j.code ?? null,
    j.message ?? null,
    j.templateId,
    j.templateConfig,
    j.pipelineId,
    j.userData ?? null,
    j.triggerSource,
    j.input.type,
    j.input.media,
    j.output.type,
    j.output.media,
    j.outputEndpoint,
    j.outputBucket,
    j.outputObject,
    JSON.stringify(j.images),
    j.vtt ?? null,
    j.count,
    j.attempts,
    j.cancelRequested ? 1 : 0,
    j.notifyUrl ?? null,
    j.createdAt,
    j.startedAt ?? null,
    j.modifiedAt,
    j.finishedAt ?? null,
  ];
}

/**
 * Snapshot jobs on SQLite (synchronous; wrapped by SqliteCatalog), with the templates and
 * media of SqliteSnapshotTemplates. Job completion and its callbacks share one transaction.
 */
export class SqliteSnapshotJobs extends SqliteSnapshotTemplates {
  constructor(
    db: Database,
    private readonly callbacks: SqliteCallbacks,
  ) {
    super(db);
  }

  // ── jobs ──

  insert(job: SnapshotJobRecord): void {
    this.db
      .prepare(
        `INSERT INTO snapshot_jobs (${JOB_COLUMNS.join(', ')})
         VALUES (${JOB_COLUMNS.map(() => '?').join(', ')})`,
      )
      .run(...jobArgs(job));
  }

  get(jobId: string): SnapshotJobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM snapshot_jobs WHERE job_id = ?').get(jobId) as
      JobRow | undefined;
    return row && toJob(row);
  }

  list(q: SnapshotJobQuery): SnapshotJobPage {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.jobId !== undefined) {
      where.push('job_id = ?');
      args.push(q.jobId);
    }
    if (q.states && q.states.length > 0) {
      where.push(`state IN (${q.states.map(() => '?').join(', ')})`);
      args.push(...q.states);
    }
    if (q.createdFrom !== undefined) {
      where.push('created_at >= ?');
      args.push(q.createdFrom);
    }
    if (q.createdTo !== undefined) {
      where.push('created_at <= ?');
      args.push(q.createdTo);
    }
    const desc = q.order === 'desc';
    if (q.after) {
      where.push(desc ? '(created_at, job_id) < (?, ?)' : '(created_at, job_id) > (?, ?)');
      args.push(q.after.createdAt, q.after.jobId);
    }
    const dir = desc ? 'DESC' : 'ASC';
    const rows = this.db
      .prepare(
        `SELECT * FROM snapshot_jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at ${dir}, job_id ${dir} LIMIT ?`,
      )
      .all(...args, q.limit + 1) as JobRow[];
    const items = rows.slice(0, q.limit).map(toJob);
    const last = items[items.length - 1];
    return rows.length > q.limit && last
      ? { items, next: { createdAt: last.createdAt, jobId: last.jobId } }
      : { items };
  }

  claim(pipelineId: string, now: number): SnapshotJobRecord | undefined {
    const tx = this.db.transaction((): SnapshotJobRecord | undefined => {
      const row = this.db
        .prepare(
          `SELECT job_id FROM snapshot_jobs
           WHERE state = ? AND pipeline_id = ? AND cancel_requested = 0
           ORDER BY created_at, rowid LIMIT 1`,
        )
        .get(SnapshotJobState.Queued, pipelineId) as { job_id: string } | undefined;
      if (!row) return undefined;
      this.db
        .prepare(
          `UPDATE snapshot_jobs SET state = ?, attempts = attempts + 1, started_at = ?,
             modified_at = ? WHERE job_id = ?`,
        )
        .run(SnapshotJobState.Running, now, now, row.job_id);
      return this.get(row.job_id);
    });
    return tx.immediate();
  }

  recordImages(jobId: string, images: string[], now: number): void {
    this.db
      .prepare(
        `UPDATE snapshot_jobs SET images = ?, modified_at = ? WHERE job_id = ? AND state = ?`,
      )
      .run(JSON.stringify(images), now, jobId, SnapshotJobState.Running);
  }

  finish(
    jobId: string,
    outcome: SnapshotJobOutcome,
    now: number,
    callbacks: CallbackEntryInput[],
  ): SnapshotJobRecord | undefined {
    const tx = this.db.transaction((): SnapshotJobRecord | undefined => {
      const success = outcome.state === 'success';
      const changed = this.db
        .prepare(
          `UPDATE snapshot_jobs SET state = ?, code = ?, message = ?, images = ?, vtt = ?,
             count = ?, modified_at = ?, finished_at = ?
           WHERE job_id = ? AND ${UNFINISHED}`,
        )
        .run(
          outcome.state,
          success ? null : outcome.code,
          success ? null : outcome.message,
          JSON.stringify(success ? outcome.images : []),
          success ? (outcome.vtt ?? null) : null,
          success ? outcome.count : 0,
          now,
          now,
          jobId,
        ).changes;
      if (changed === 0) return undefined;
      if (callbacks.length > 0) this.callbacks.insertMany(callbacks);
      return this.get(jobId);
    });
    return tx.immediate();
  }

  requestCancel(jobId: string, now: number): SnapshotJobRecord | undefined {
    this.db
      .prepare(
        `UPDATE snapshot_jobs SET cancel_requested = 1, modified_at = ?
         WHERE job_id = ? AND ${UNFINISHED}`,
      )
      .run(now, jobId);
    return this.get(jobId);
  }

  requeue(jobId: string, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE snapshot_jobs SET state = ?, attempts = MAX(attempts - 1, 0), modified_at = ?
           WHERE job_id = ? AND state = ?`,
        )
        .run(SnapshotJobState.Queued, now, jobId, SnapshotJobState.Running).changes > 0
    );
  }

  recover(now: number, maxAttempts: number): number {
    return this.db
      .prepare(
        `UPDATE snapshot_jobs SET state = ?, modified_at = ? WHERE state = ? AND attempts < ?`,
      )
      .run(SnapshotJobState.Queued, now, SnapshotJobState.Running, maxAttempts).changes;
  }

  reassign(known: string[], fallback: string, now: number): number {
    const list = known.length > 0 ? known : [fallback];
    return this.db
      .prepare(
        `UPDATE snapshot_jobs SET pipeline_id = ?, modified_at = ?
         WHERE ${UNFINISHED} AND pipeline_id NOT IN (${list.map(() => '?').join(', ')})`,
      )
      .run(fallback, now, ...list).changes;
  }
}
