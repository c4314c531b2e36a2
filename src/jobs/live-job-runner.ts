import { errorMessage } from '../errors.js';
import {
  BadSourceError,
  SourceUnavailableError,
  UnsupportedSourceError,
  type PullError,
  type PullOutcome,
} from '../ingest/pull-errors.js';
import type { Logger } from '../log.js';
import { backoffDelay, type BackoffPolicy } from './live-job-backoff.js';

/**
 * Where a running job is with its source:
 * `connecting` (first attempt), `connected` (live), `waiting` (the source has not been live
 * yet; retrying), `reconnecting` (it was live and dropped; retrying), `stopped`.
 */
export type PullState = 'connecting' | 'connected' | 'waiting' | 'reconnecting' | 'stopped';

export interface LiveJobRunStatus {
  readonly state: PullState;
  readonly lastError?: string;
  readonly lastErrorAt?: number;
  /** When the current (or last) live session began. */
  readonly connectedAt?: number;
  /** When the next attempt is due (waiting / reconnecting). */
  readonly nextRetryAt?: number;
  /** Sessions that went live since the runner started. */
  readonly sessions: number;
}

/** One session with the source (src/ingest/pull.ts or pull-relay.ts). */
export type ConnectSource = (signal: AbortSignal, onLive: () => void) => Promise<PullOutcome>;

export interface LiveJobRunnerOptions {
  readonly jobId: string;
  readonly connect: ConnectSource;
  readonly backoff: BackoffPolicy;
  /** Consecutive BadSourceError sessions before giving up. */
  readonly maxBadAttempts: number;
  /**
   * A session live at least this long resets the backoff (default 10 s); shorter ones do not,
   * so a source that ends at once after every connect (a finished HLS playlist) is retried
   * ever more slowly instead of in a tight loop.
   */
  readonly stableSessionMs?: number;
  readonly logger: Logger;
  /** A session went live. */
  readonly onLive: () => void;
  /** A session ended or failed; the runner retries. */
  readonly onError?: (error: PullError, at: number) => void;
  /** The runner gave up (broken or unsupported source); its loop has ended. */
  readonly onGiveUp: (error: PullError, at: number) => void;
  readonly now?: () => number;
}

const DEFAULT_STABLE_SESSION_MS = 10_000;

/**
 * Keeps one job connected to its source: a session at a time; after a session ends or fails,
 * the next attempt follows a capped exponential backoff (reset after a session that stayed
 * live for a while). An unavailable source is retried for as long as the job runs; a bad source
 * (garbage, silence, no video) `maxBadAttempts` times in a row; an unsupported one never.
 * `stop()` aborts the session and resolves when the loop has ended.
 */
export class LiveJobRunner {
  readonly jobId: string;
  readonly #o: LiveJobRunnerOptions;
  readonly #abort = new AbortController();
  readonly #now: () => number;
  #done: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;
  #woken = false;
  #state: PullState = 'connecting';
  #lastError: string | undefined;
  #lastErrorAt: number | undefined;
  #connectedAt: number | undefined;
  #nextRetryAt: number | undefined;
  #sessions = 0;

  constructor(options: LiveJobRunnerOptions) {
    this.jobId = options.jobId;
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get status(): LiveJobRunStatus {
    return {
      state: this.#state,
      ...(this.#lastError !== undefined && { lastError: this.#lastError }),
      ...(this.#lastErrorAt !== undefined && { lastErrorAt: this.#lastErrorAt }),
      ...(this.#connectedAt !== undefined && { connectedAt: this.#connectedAt }),
      ...(this.#nextRetryAt !== undefined && { nextRetryAt: this.#nextRetryAt }),
      sessions: this.#sessions,
    };
  }

  /** Whether a session of this runner has been live. */
  get everLive(): boolean {
    return this.#sessions > 0;
  }

  start(): void {
    this.#done = this.#loop().catch((err: unknown) => {
      this.#o.logger.error({ err: errorMessage(err) }, 'live snapshot job runner failed');
      this.#state = 'stopped';
    });
  }

  /** Retry now instead of waiting out the backoff (e.g. the source was just published). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#done;
  }

  async #loop(): Promise<void> {
    const { signal } = this.#abort;
    const log = this.#o.logger;
    let failures = 0;
    let bad = 0;
    while (!signal.aborted) {
      this.#nextRetryAt = undefined;
      const outcome = await this.#o.connect(signal, () => this.#onLive());
      if (signal.aborted || outcome.end === 'aborted') break;
      const error = outcome.error ?? new SourceUnavailableError('the source ended the stream');
      const at = this.#now();
      if (outcome.live) {
        bad = 0;
        const stable = this.#o.stableSessionMs ?? DEFAULT_STABLE_SESSION_MS;
        if (at - (this.#connectedAt ?? at) >= stable) failures = 0;
      }
      this.#lastError = error.message;
      this.#lastErrorAt = at;
      if (error instanceof BadSourceError) bad++;
      else bad = 0;
      if (error instanceof UnsupportedSourceError || bad >= this.#o.maxBadAttempts) {
        log.warn({ err: error.message, attempts: bad }, 'live snapshot job stopped: bad source');
        this.#state = 'stopped';
        this.#o.onGiveUp(error, at);
        return;
      }
      this.#o.onError?.(error, at);
      failures++;
      const delay = backoffDelay(failures, this.#o.backoff);
      this.#state = this.everLive ? 'reconnecting' : 'waiting';
      this.#nextRetryAt = at + delay;
      log.info(
        { err: error.message, retryInMs: delay, state: this.#state },
        'source unavailable, retrying',
      );
      await this.#sleep(delay);
    }
    this.#state = 'stopped';
    this.#nextRetryAt = undefined;
  }

  #onLive(): void {
    this.#sessions++;
    this.#state = 'connected';
    this.#connectedAt = this.#now();
    this.#o.onLive();
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
