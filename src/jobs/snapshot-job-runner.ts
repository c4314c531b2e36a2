import { join } from 'node:path';
import type {
  SnapshotJobCatalog,
  SnapshotJobOutcome,
  SnapshotJobRecord,
} from '../catalog/snapshot-job-types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { StorageIoError } from '../storage/storage-errors.js';
import { jobCallbackEntries } from './job-announcer.js';
import { JobError, JobErrorCode, JobInterruptedError } from './job-errors.js';
import { resolveInput, type JobStores, type ResolvedInput } from './job-storage.js';
import { resolveSettings, type SnapshotSettings } from './snapshot-settings.js';
import { runSnapshotTask } from './snapshot-task.js';
import { parseTemplateConfig } from './template-config.js';

export type RunnerCatalog = Pick<
  SnapshotJobCatalog,
  | 'getSnapshotJob'
  | 'recordSnapshotJobImages'
  | 'finishSnapshotJob'
  | 'requeueSnapshotJob'
  | 'getMediaAsset'
>;

export interface JobRunnerOptions {
  readonly catalog: RunnerCatalog;
  readonly stores: JobStores;
  readonly dataDir: string;
  readonly jpegQuality: number;
  readonly ioTimeoutMs: number;
  /** The configured receiver of every job's completion callback. */
  readonly notifyUrl?: string;
  /** New outbox entries were committed. */
  readonly wakeCallbacks: () => void;
  readonly logger: Logger;
  readonly now: () => number;
}

/** The settings of a stored job (its TemplateConfig was checked when it was submitted). */
export function jobSettings(job: SnapshotJobRecord): SnapshotSettings {
  try {
    return resolveSettings(parseTemplateConfig(JSON.parse(job.templateConfig) as unknown));
  } catch (err) {
    throw new JobError(JobErrorCode.InvalidTemplate, `bad TemplateConfig: ${errorMessage(err)}`);
  }
}

/** The failure a run ended with, as the job reports it. */
function asJobError(err: unknown): JobError {
  if (err instanceof JobError) return err;
  if (err instanceof StorageIoError) {
    return new JobError(JobErrorCode.StorageFailed, `cannot store an output: ${err.message}`);
  }
  return new JobError(JobErrorCode.InternalError, errorMessage(err), { cause: err });
}

/**
 * Runs one claimed job to its end (DESIGN.md §4): reads the input, writes the outputs to the
 * job's bucket, recording each image as it is stored, and finishes the job with its
 * completion callbacks in one transaction. A failure (or a cancel) removes every output
 * the job wrote, in this run or an interrupted earlier one. A shutdown puts the job back in
 * its queue instead: the next start runs it again.
 */
export class SnapshotJobRunner {
  readonly #o: JobRunnerOptions;

  constructor(options: JobRunnerOptions) {
    this.#o = options;
  }

  async run(job: SnapshotJobRecord, signal: AbortSignal): Promise<void> {
    const { catalog, logger } = this.#o;
    const log = logger.child({ jobId: job.jobId });
    const written = new Set<string>(job.images);
    if (job.vtt) written.add(job.vtt);
    let input: ResolvedInput | undefined;
    const started = Date.now();
    try {
      const fresh = await catalog.getSnapshotJob(job.jobId);
      if (fresh?.cancelRequested)
        throw new JobError(JobErrorCode.Cancelled, 'the job was cancelled');
      const settings = jobSettings(job);
      input = await resolveInput(job.input, {
        stores: this.#o.stores,
        lookupMedia: (id) => catalog.getMediaAsset(id),
        tmpDir: join(this.#o.dataDir, 'tmp', 'jobs'),
      });
      const store = this.#o.stores.get(job.outputEndpoint);
      const result = await runSnapshotTask({
        input: input.location,
        protocols: input.protocols,
        settings,
        object: job.outputObject,
        jpegQuality: this.#o.jpegQuality,
        ioTimeoutMs: this.#o.ioTimeoutMs,
        signal,
        sink: {
          put: async (object, bytes, contentType) => {
            if (signal.aborted) throw signal.reason;
            written.add(object);
            await store.put(job.outputBucket, object, bytes, { contentType });
          },
        },
        onImage: () => catalog.recordSnapshotJobImages(job.jobId, [...written], this.#o.now()),
      });
      // Objects of an interrupted earlier run that this run did not write again.
      const kept = new Set([...result.images, ...(result.vtt ? [result.vtt] : [])]);
      await this.#remove(
        job,
        [...written].filter((o) => !kept.has(o)),
      );
      const outcome: SnapshotJobOutcome = {
        state: 'success',
        images: [...result.images],
        count: result.count,
        ...(result.vtt ? { vtt: result.vtt } : {}),
      };
      await this.#finish(job, outcome);
      log.info(
        { count: result.count, ms: Date.now() - started, decode: result.decode },
        'snapshot job done',
      );
    } catch (caught) {
      const err = signal.aborted ? signal.reason : caught;
      if (err instanceof JobInterruptedError) {
        await catalog.requeueSnapshotJob(job.jobId, this.#o.now());
        log.info('snapshot job interrupted by shutdown; queued again');
        return;
      }
      const failure = asJobError(err);
      await this.#remove(job, [...written]);
      await this.#finish(job, { state: 'fail', code: failure.jobCode, message: failure.message });
      log.warn({ code: failure.jobCode, err: failure.message }, 'snapshot job failed');
    } finally {
      await input?.release();
    }
  }

  /** Ends a job that did not run (cancelled while queued, or out of attempts). */
  async fail(job: SnapshotJobRecord, failure: JobError): Promise<SnapshotJobRecord | undefined> {
    await this.#remove(job, [...job.images, ...(job.vtt ? [job.vtt] : [])]);
    return this.#finish(job, { state: 'fail', code: failure.jobCode, message: failure.message });
  }

  async #finish(
    job: SnapshotJobRecord,
    outcome: SnapshotJobOutcome,
  ): Promise<SnapshotJobRecord | undefined> {
    const now = this.#o.now();
    const entries = jobCallbackEntries(job, outcome, [this.#o.notifyUrl, job.notifyUrl], now);
    const finished = await this.#o.catalog.finishSnapshotJob(job.jobId, outcome, now, entries);
    if (finished && entries.length > 0) this.#o.wakeCallbacks();
    return finished;
  }

  /** Deletes outputs (best effort: a failure to delete is logged, not fatal). */
  async #remove(job: SnapshotJobRecord, objects: string[]): Promise<void> {
    if (objects.length === 0) return;
    let store;
    try {
      store = this.#o.stores.get(job.outputEndpoint);
    } catch {
      return;
    }
    for (const object of objects) {
      await store.delete(job.outputBucket, object).catch((err: unknown) => {
        this.#o.logger.warn(
          { jobId: job.jobId, object, err: errorMessage(err) },
          'cannot remove a partial output',
        );
      });
    }
  }
}
