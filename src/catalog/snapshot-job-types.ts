import type { CallbackEntryInput } from './callback-types.js';

/**
 * Snapshot jobs on video files (ICE SubmitSnapshotJob, spec §3), their templates and the
 * registered media they may read: the part of the Catalog the job service uses. Part of the
 * Catalog contract (test/catalog-jobs-contract.test.ts). Times are Unix milliseconds.
 */

/** Where a job is in its life. The API shows queued/running as `Init`. */
export const SnapshotJobState = {
  Queued: 'queued',
  Running: 'running',
  Success: 'success',
  Fail: 'fail',
} as const;
export type SnapshotJobState = (typeof SnapshotJobState)[keyof typeof SnapshotJobState];

/** An Input or Output as submitted: `{"Type":"OSS"|"Media","Media":"…"}`. */
export interface JobMedia {
  type: string;
  media: string;
}

export interface SnapshotJobRecord {
  jobId: string;
  name?: string;
  /** Normal, Sprite or WebVtt. */
  type: string;
  state: SnapshotJobState;
  /** Failure code and message (empty while not failed). */
  code?: string;
  message?: string;
  templateId: string;
  /** The effective TemplateConfig (template + OverwriteParams), JSON text. */
  templateConfig: string;
  pipelineId: string;
  userData?: string;
  triggerSource: string;
  input: JobMedia;
  output: JobMedia;
  /** Where the outputs go. */
  outputEndpoint: string;
  outputBucket: string;
  /** The Output object (with `{Count}` / `{TileCount}`, or the `.vtt`). */
  outputObject: string;
  /** Images written so far (while running) or in all (when finished), in order. */
  images: string[];
  /** The WebVtt track, once written. */
  vtt?: string;
  /** Snapshots taken. */
  count: number;
  /** Runs started (a restart during a run counts one). */
  attempts: number;
  cancelRequested: boolean;
  /** Completion callback receiver from UserData.NotifyAddress. */
  notifyUrl?: string;
  createdAt: number;
  startedAt?: number;
  modifiedAt: number;
  finishedAt?: number;
}

/** Position in a job listing (the NextPageToken). */
export interface SnapshotJobCursor {
  createdAt: number;
  jobId: string;
}

export interface SnapshotJobQuery {
  jobId?: string;
  states?: SnapshotJobState[];
  /** Inclusive, ms. */
  createdFrom?: number;
  /** Inclusive, ms. */
  createdTo?: number;
  order: 'asc' | 'desc';
  limit: number;
  /** Continue after this job (in `order`). */
  after?: SnapshotJobCursor;
}

export interface SnapshotJobPage {
  items: SnapshotJobRecord[];
  /** Present when more jobs follow. */
  next?: SnapshotJobCursor;
}

/** How a job ended. */
export type SnapshotJobOutcome =
  | { state: 'success'; images: string[]; vtt?: string; count: number }
  | { state: 'fail'; code: string; message: string };

/** A custom snapshot template (spec §3.5, Type 2). */
export interface SnapshotTemplateRecord {
  templateId: string;
  name: string;
  /** 1 Normal, 2 Sprite, 3 WebVtt. */
  subtype: number;
  /** TemplateConfig, JSON text. */
  config: string;
  createdAt: number;
  modifiedAt: number;
}

export interface SnapshotTemplateQuery {
  subtype?: number;
  templateId?: string;
  /** Substring of the name. */
  name?: string;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export interface SnapshotTemplateList {
  total: number;
  items: SnapshotTemplateRecord[];
}

/** A registered media asset (RegisterMediaInfo): an id for an input URL. */
export interface MediaAssetRecord {
  mediaId: string;
  inputUrl: string;
  title?: string;
  description?: string;
  mediaType?: string;
  businessType?: string;
  userData?: string;
  createdAt: number;
  modifiedAt: number;
}

export interface SnapshotJobCatalog {
  // ── jobs ──
  insertSnapshotJob(job: SnapshotJobRecord): Promise<void>;
  getSnapshotJob(jobId: string): Promise<SnapshotJobRecord | undefined>;
  listSnapshotJobs(query: SnapshotJobQuery): Promise<SnapshotJobPage>;
  /**
   * The oldest queued job of the pipeline that is not being cancelled, marked running with
   * one more attempt; undefined when there is none.
   */
  claimSnapshotJob(pipelineId: string, now: number): Promise<SnapshotJobRecord | undefined>;
  /** Records the images a running job has written so far. */
  recordSnapshotJobImages(jobId: string, images: string[], now: number): Promise<void>;
  /**
   * Ends a queued or running job and writes its completion callbacks in the same
   * transaction. Undefined (nothing written) when the job is unknown or already finished.
   */
  finishSnapshotJob(
    jobId: string,
    outcome: SnapshotJobOutcome,
    now: number,
    callbacks?: CallbackEntryInput[],
  ): Promise<SnapshotJobRecord | undefined>;
  /** Flags a job for cancellation; returns it (undefined when unknown). */
  requestSnapshotJobCancel(jobId: string, now: number): Promise<SnapshotJobRecord | undefined>;
  /** Puts a running job back in its queue without counting the run (shutdown). */
  requeueSnapshotJob(jobId: string, now: number): Promise<boolean>;
  /**
   * After a restart: running jobs with fewer than `maxAttempts` runs go back to their queue;
   * returns how many. Those left running have used up their attempts.
   */
  recoverSnapshotJobs(now: number, maxAttempts: number): Promise<number>;
  /** Moves unfinished jobs of pipelines not in `known` to `fallback`; returns how many. */
  reassignSnapshotJobs(known: string[], fallback: string, now: number): Promise<number>;

  // ── templates ──
  /** False when the id exists. */
  insertSnapshotTemplate(template: SnapshotTemplateRecord): Promise<boolean>;
  getSnapshotTemplate(templateId: string): Promise<SnapshotTemplateRecord | undefined>;
  listSnapshotTemplates(query: SnapshotTemplateQuery): Promise<SnapshotTemplateList>;
  /** Read-modify-write in one transaction; undefined when there is no such template. */
  updateSnapshotTemplate(
    templateId: string,
    apply: (current: SnapshotTemplateRecord) => Pick<SnapshotTemplateRecord, 'name' | 'config'>,
    now: number,
  ): Promise<SnapshotTemplateRecord | undefined>;
  /** Deletes a template (and its default mark); false when there was none. */
  deleteSnapshotTemplate(templateId: string): Promise<boolean>;
  /** The template marked default for a subtype, if one is. */
  getDefaultSnapshotTemplate(subtype: number): Promise<string | undefined>;
  setDefaultSnapshotTemplate(subtype: number, templateId: string): Promise<void>;

  // ── registered media ──
  insertMediaAsset(media: MediaAssetRecord): Promise<void>;
  getMediaAsset(mediaId: string): Promise<MediaAssetRecord | undefined>;
}
