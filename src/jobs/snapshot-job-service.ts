import {
  SnapshotJobState,
  type SnapshotJobCatalog,
  type SnapshotJobRecord,
} from '../catalog/snapshot-job-types.js';
import type { Logger } from '../log.js';
import { JobError, JobErrorCode } from './job-errors.js';
import { JobScheduler, type PipelineConfig } from './job-scheduler.js';
import type { JobStores } from './job-storage.js';
import { SnapshotJobRunner } from './snapshot-job-runner.js';

/** The `jobs` configuration section. */
export interface JobsConfig {
  /** Jobs running at once over all pipelines. */
  readonly concurrency: number;
  /** Runs a job may start (restarts during a run count) before it fails. */
  readonly maxAttempts: number;
  readonly jpegQuality: number;
  /** Receives every job's completion callback. */
  readonly notifyUrl?: string | undefined;
  /** Network inputs: a read that stalls this long fails the job. */
  readonly ioTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly defaultPipeline: string;
  readonly pipelines: readonly PipelineConfig[];
}

export interface SnapshotJobServiceOptions {
  readonly catalog: SnapshotJobCatalog;
  readonly stores: JobStores;
  readonly config: JobsConfig;
  readonly dataDir: string;
  readonly logger: Logger;
  /** New callback outbox entries were committed (Notifier.wake). */
  readonly wakeCallbacks?: () => void;
  readonly now?: () => number;
}

/** Jobs looked at per page when recovering after a restart. */
const RECOVERY_PAGE = 500;

/**
 * Snapshot jobs on video files (DESIGN.md §4): the queues (pipelines) in the catalog, the
 * scheduler that runs them, and recovery after a restart: jobs that were running go back to
 * their queue (and start over) until they have used `maxAttempts` runs, then fail with
 * JobInterrupted; jobs of pipelines no longer configured move to the default pipeline.
 * Nothing is left `running` without a runner.
 */
export class SnapshotJobService {
  readonly #o: SnapshotJobServiceOptions;
  readonly #runner: SnapshotJobRunner;
  readonly #scheduler: JobScheduler;
  readonly #now: () => number;

  constructor(options: SnapshotJobServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    const { catalog, config } = options;
    const logger = options.logger;
    this.#runner = new SnapshotJobRunner({
      catalog,
      stores: options.stores,
      dataDir: options.dataDir,
      jpegQuality: config.jpegQuality,
      ioTimeoutMs: config.ioTimeoutMs,
      ...(config.notifyUrl ? { notifyUrl: config.notifyUrl } : {}),
      wakeCallbacks: options.wakeCallbacks ?? (() => {}),
      logger,
      now: this.#now,
    });
    this.#scheduler = new JobScheduler({
      pipelines: config.pipelines,
      concurrency: config.concurrency,
      pollIntervalMs: config.pollIntervalMs,
      claim: (pipelineId) => catalog.claimSnapshotJob(pipelineId, this.#now()),
      run: (job, signal) => this.#runner.run(job, signal),
      logger,
    });
  }

  get pipelineIds(): string[] {
    return this.#o.config.pipelines.map((p) => p.id);
  }

  get defaultPipeline(): string {
    return this.#o.config.defaultPipeline;
  }

  async start(): Promise<void> {
    const { catalog, config, logger } = this.#o;
    const now = this.#now();
    const moved = await catalog.reassignSnapshotJobs(this.pipelineIds, config.defaultPipeline, now);
    const requeued = await catalog.recoverSnapshotJobs(now, config.maxAttempts);
    let failed = 0;
    for (;;) {
      const page = await catalog.listSnapshotJobs({
        states: [SnapshotJobState.Running],
        order: 'asc',
        limit: RECOVERY_PAGE,
      });
      for (const job of page.items) {
        await this.#runner.fail(
          job,
          new JobError(
            JobErrorCode.Interrupted,
            `the job was interrupted ${job.attempts} times (by restarts) and was given up`,
          ),
        );
        failed++;
      }
      if (!page.next) break;
    }
    if (moved + requeued + failed > 0) {
      logger.info({ moved, requeued, failed }, 'snapshot jobs recovered after a restart');
    }
    this.#scheduler.start();
  }

  /** Queues a new job (already validated) and starts it when a slot is free. */
  async submit(job: SnapshotJobRecord): Promise<void> {
    await this.#o.catalog.insertSnapshotJob(job);
    this.#scheduler.wake();
  }

  /**
   * Cancels a job: a queued one fails at once, a running one is stopped (it fails as soon
   * as its current picture is done). Undefined for an unknown job; a finished job is
   * returned unchanged.
   */
  async cancel(jobId: string): Promise<SnapshotJobRecord | undefined> {
    const { catalog } = this.#o;
    const job = await catalog.requestSnapshotJobCancel(jobId, this.#now());
    if (!job || (job.state !== SnapshotJobState.Queued && job.state !== SnapshotJobState.Running)) {
      return job;
    }
    const reason = new JobError(JobErrorCode.Cancelled, 'the job was cancelled');
    if (job.state === SnapshotJobState.Queued) return (await this.#runner.fail(job, reason)) ?? job;
    this.#scheduler.abort(jobId, reason);
    return job;
  }

  /** Job ids running in this process. */
  get running(): string[] {
    return this.#scheduler.running;
  }

  async close(): Promise<void> {
    await this.#scheduler.close();
  }
}
