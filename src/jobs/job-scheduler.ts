import type { SnapshotJobRecord } from '../catalog/snapshot-job-types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { JobInterruptedError } from './job-errors.js';

/** A named queue (ScheduleConfig.PipelineId): its own concurrency and a priority. */
export interface PipelineConfig {
  readonly id: string;
  /** Jobs of this pipeline running at once. */
  readonly concurrency: number;
  /** Higher runs first when pipelines compete for the global limit. */
  readonly priority: number;
}

export interface JobSchedulerOptions {
  readonly pipelines: readonly PipelineConfig[];
  /** Jobs running at once over all pipelines. */
  readonly concurrency: number;
  /** Queues are checked this often besides wake-ups. */
  readonly pollIntervalMs: number;
  /** Takes the next queued job of a pipeline (marks it running). */
  readonly claim: (pipelineId: string) => Promise<SnapshotJobRecord | undefined>;
  /** Runs a job to its end; `signal` aborts it (cancel, shutdown). Should not reject. */
  readonly run: (job: SnapshotJobRecord, signal: AbortSignal) => Promise<void>;
  readonly logger: Logger;
}

interface Running {
  readonly pipelineId: string;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/**
 * Runs queued jobs: at most `concurrency` at once, at most each pipeline's own concurrency
 * per pipeline, free slots going to the pipeline of highest priority that has work (first
 * in, first out within a pipeline). The queues live in the catalog; wake() after a submit.
 * close() stops claiming, aborts running jobs with JobInterruptedError (they are requeued)
 * and waits for them.
 */
export class JobScheduler {
  readonly #o: JobSchedulerOptions;
  readonly #pipelines: PipelineConfig[];
  readonly #running = new Map<string, Running>();
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;
  #again = false;
  #closed = false;

  constructor(options: JobSchedulerOptions) {
    this.#o = options;
    this.#pipelines = [...options.pipelines].sort((a, b) => b.priority - a.priority);
  }

  start(): void {
    this.wake();
  }

  /** Running job ids. */
  get running(): string[] {
    return [...this.#running.keys()];
  }

  /** Aborts a running job with `reason`; false when it is not running here. */
  abort(jobId: string, reason: Error): boolean {
    const r = this.#running.get(jobId);
    if (!r) return false;
    r.abort.abort(reason);
    return true;
  }

  wake(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    void this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const r of this.#running.values()) r.abort.abort(new JobInterruptedError());
    await Promise.allSettled([...this.#running.values()].map((r) => r.done));
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#timer = setTimeout(() => this.wake(), this.#o.pollIntervalMs);
    this.#timer.unref();
  }

  #countIn(pipelineId: string): number {
    let n = 0;
    for (const r of this.#running.values()) if (r.pipelineId === pipelineId) n++;
    return n;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        for (const p of this.#pipelines) {
          while (
            !this.#closed &&
            this.#running.size < this.#o.concurrency &&
            this.#countIn(p.id) < p.concurrency
          ) {
            const job = await this.#o.claim(p.id);
            if (!job) break;
            this.#begin(job);
          }
        }
      } while (this.#again && !this.#closed);
    } catch (err) {
      this.#o.logger.error({ err: errorMessage(err) }, 'snapshot job queue unavailable');
    } finally {
      this.#pumping = false;
      this.#schedule();
    }
  }

  #begin(job: SnapshotJobRecord): void {
    const abort = new AbortController();
    const done = this.#o
      .run(job, abort.signal)
      .catch((err: unknown) => {
        this.#o.logger.error({ jobId: job.jobId, err: errorMessage(err) }, 'snapshot job crashed');
      })
      .finally(() => {
        this.#running.delete(job.jobId);
        this.wake();
      });
    this.#running.set(job.jobId, { pipelineId: job.pipelineId, abort, done });
  }
}
