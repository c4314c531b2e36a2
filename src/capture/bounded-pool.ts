import { CaptureClosedError, CaptureOverloadedError } from './capture-errors.js';

export interface BoundedPoolOptions {
  /** Tasks running at once (>= 1). */
  readonly concurrency: number;
  /** Tasks allowed to wait for a free slot (>= 0); beyond that, run() rejects at once. */
  readonly backlog: number;
}

export interface BoundedPoolStats {
  readonly running: number;
  readonly queued: number;
  readonly completed: number;
  readonly failed: number;
  /** Tasks refused because the pool and its backlog were full. */
  readonly overloaded: number;
}

interface Waiting {
  start(): void;
  cancel(err: Error): void;
}

/**
 * Bounded concurrency with a bounded backlog, for the keyframe decoder: never queues without
 * limit. When `concurrency` tasks run and `backlog` wait, run() rejects immediately with
 * CaptureOverloadedError (the caller counts a skipped snapshot).
 */
export class BoundedPool {
  private readonly concurrency: number;
  private readonly backlog: number;
  private readonly waiting: Waiting[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private counts = { completed: 0, failed: 0, overloaded: 0 };

  constructor(options: BoundedPoolOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1, got ${options.concurrency}`);
    }
    if (!Number.isInteger(options.backlog) || options.backlog < 0) {
      throw new RangeError(`backlog must be an integer >= 0, got ${options.backlog}`);
    }
    this.concurrency = options.concurrency;
    this.backlog = options.backlog;
  }

  get stats(): BoundedPoolStats {
    return { running: this.inFlight.size, queued: this.waiting.length, ...this.counts };
  }

  /** True when run() would take a task now (run it or queue it) rather than refuse it. */
  get accepting(): boolean {
    return (
      !this.closed && (this.inFlight.size < this.concurrency || this.waiting.length < this.backlog)
    );
  }

  /** Counts a task refused before run() was called (the caller checked `accepting`). */
  countOverloaded(): void {
    this.counts.overloaded++;
  }

  /** Run `task` when a slot is free; rejects at once when overloaded or closed. */
  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new CaptureClosedError());
    if (this.inFlight.size < this.concurrency) return this.start(task);
    if (this.waiting.length >= this.backlog) {
      this.counts.overloaded++;
      return Promise.reject(new CaptureOverloadedError(this.inFlight.size, this.waiting.length));
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        start: () => this.start(task).then(resolve, reject),
        cancel: reject,
      });
    });
  }

  /** Refuse new tasks, reject the waiting ones, and wait for the running ones to settle. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.cancel(new CaptureClosedError());
    await Promise.allSettled([...this.inFlight]);
  }

  private start<T>(task: () => Promise<T>): Promise<T> {
    let p: Promise<T>;
    try {
      p = task();
    } catch (err) {
      p = Promise.reject(err);
    }
    // Bookkeeping runs before the caller sees the result, so a caller that submits its next
    // task right after awaiting this one finds the slot free.
    const settled = p.then(
      (value) => {
        this.counts.completed++;
        this.release(settled);
        return value;
      },
      (err: unknown) => {
        this.counts.failed++;
        this.release(settled);
        throw err;
      },
    );
    this.inFlight.add(settled);
    return settled;
  }

  private release(settled: Promise<unknown>): void {
    this.inFlight.delete(settled);
    const next = this.waiting.shift();
    if (next !== undefined) next.start();
  }
}
