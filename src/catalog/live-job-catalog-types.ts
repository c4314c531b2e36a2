import type { SnapshotRecord, SortOrder, StreamKey } from './catalog-types.js';

/**
 * Live snapshot templates and jobs (spec §4, ICE 2020-11-09): part of the Catalog. A template
 * holds an interval and naming formats; a job copies them when it is submitted and binds them
 * to a pulled source URL and an output bucket. Times are Unix milliseconds.
 */

export type LiveTemplateType = 'system' | 'custom';

/** The settable fields of a live snapshot template (spec §4.1). */
export interface LiveTemplateFields {
  templateName: string;
  /** Seconds, 5–3600. */
  timeInterval: number;
  overwriteFormat?: string;
  sequenceFormat?: string;
}

export interface LiveSnapshotTemplate extends LiveTemplateFields {
  templateId: string;
  type: LiveTemplateType;
  createdAt: number;
  updatedAt: number;
}

export interface LiveTemplateListQuery {
  /** By creation time (ties: creation order). */
  order: SortOrder;
  offset: number;
  limit: number;
  /** Exact template id, or a substring of the name. */
  keyword?: string;
  /** Only these ids (ignored when `keyword` is given). */
  templateIds?: string[];
  type?: LiveTemplateType;
}

/**
 * What the API reports as `Status` (spec §4.7): `init` — active, waiting for its source (not
 * live since it was last started); `started` — active and its source has been live;
 * `paused` — stopped by a command or by a broken source.
 */
export type LiveJobStatus = 'init' | 'started' | 'paused';

export interface LiveSnapshotJob {
  jobId: string;
  jobName: string;
  templateId: string;
  templateName: string;
  /** Copied from the template at submission. */
  timeInterval: number;
  overwriteFormat?: string;
  sequenceFormat?: string;
  callbackUrl?: string;
  /** StreamInput.Type as given (lower case): rtmp, rtsp, srt, hls, flv… */
  inputType: string;
  inputUrl: string;
  /** SnapshotOutput.StorageType, `oss`. */
  storageType: string;
  /** SnapshotOutput.Endpoint as given. */
  outputEndpoint: string;
  outputBucket: string;
  /** The configured storage the snapshots go to (`local`, or a configured S3 name). */
  storageEndpoint: string;
  status: LiveJobStatus;
  /** Counts against the concurrency limit and runs (resumed after a restart). */
  active: boolean;
  lastError?: string;
  lastErrorAt?: number;
  createdAt: number;
  updatedAt: number;
}

export interface LiveJobListQuery {
  /** Creation time window, inclusive at both ends. */
  startMs: number;
  endMs: number;
  status?: LiveJobStatus;
  /** Exact job id, or a substring of the name. */
  keyword?: string;
  order: SortOrder;
  offset: number;
  limit: number;
}

export interface ListResult<T> {
  total: number;
  items: T[];
}

/** A change of a job's run state; `null` clears the error. */
export interface LiveJobStateChange {
  status?: LiveJobStatus;
  active?: boolean;
  lastError?: string | null;
  lastErrorAt?: number | null;
}

/**
 * activateLiveJob: `activated` (it was inactive and now runs as `init`), `already-active`,
 * `limit` (the number of active jobs is at the limit; nothing written), `not-found`.
 */
export type LiveJobActivation = 'activated' | 'already-active' | 'limit' | 'not-found';

export interface LiveJobCatalog {
  // ── live snapshot templates ──
  insertLiveTemplate(template: LiveSnapshotTemplate): Promise<void>;
  /** Replaces the settable fields; undefined when there is no such template. */
  updateLiveTemplate(
    templateId: string,
    fields: LiveTemplateFields,
    now: number,
  ): Promise<LiveSnapshotTemplate | undefined>;
  getLiveTemplate(templateId: string): Promise<LiveSnapshotTemplate | undefined>;
  listLiveTemplates(query: LiveTemplateListQuery): Promise<ListResult<LiveSnapshotTemplate>>;
  deleteLiveTemplate(templateId: string): Promise<boolean>;

  // ── live snapshot jobs ──
  /**
   * Adds an active job unless `maxActive` jobs are active already (false, nothing written);
   * the count and the insert are one transaction.
   */
  insertLiveJob(job: LiveSnapshotJob, maxActive: number): Promise<boolean>;
  getLiveJob(jobId: string): Promise<LiveSnapshotJob | undefined>;
  listLiveJobs(query: LiveJobListQuery): Promise<ListResult<LiveSnapshotJob>>;
  /** Every active job, oldest first (resumed at start). */
  listActiveLiveJobs(): Promise<LiveSnapshotJob[]>;
  /** Makes a job active with status `init` (and no error) within the limit, atomically. */
  activateLiveJob(jobId: string, maxActive: number, now: number): Promise<LiveJobActivation>;
  /** False when there is no such job. */
  updateLiveJobState(jobId: string, change: LiveJobStateChange, now: number): Promise<boolean>;
  /**
   * Deletes the sequence-mode (non-overlay) snapshot rows of a stream captured at the given
   * times and returns them; overlay rows are left alone.
   */
  deleteSequenceSnapshotRecords(
    stream: StreamKey,
    createTimestamps: number[],
  ): Promise<SnapshotRecord[]>;
}
