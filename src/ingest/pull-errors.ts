import { LivesnapError, PermanentError } from '../errors.js';

/**
 * Why pulling a source failed, as a type (STYLE: "do not retry" is a type, never a string
 * match). The job runner (src/jobs/live-job-runner.ts) acts on the class:
 *
 * - SourceUnavailableError: the source is not live (refused, not found, not published yet,
 *   ended, dropped). Retried with capped backoff for as long as the job runs.
 * - BadSourceError: something answered but it is not a usable stream (garbage, a server that
 *   never answers, no video, broken framing). Retried a few times, then the job stops.
 * - UnsupportedSourceError: a stream we will never take (codec, picture too large). The job
 *   stops at once.
 */

export class SourceUnavailableError extends LivesnapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PULL_SOURCE_UNAVAILABLE', message, options);
  }
}

export class BadSourceError extends LivesnapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PULL_BAD_SOURCE', message, options);
  }
}

export class UnsupportedSourceError extends PermanentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PULL_UNSUPPORTED_SOURCE', message, options);
  }
}

export type PullError = SourceUnavailableError | BadSourceError | UnsupportedSourceError;

export function isPullError(err: unknown): err is PullError {
  return (
    err instanceof SourceUnavailableError ||
    err instanceof BadSourceError ||
    err instanceof UnsupportedSourceError
  );
}

/** How one pull session ended. */
export interface PullOutcome {
  /** The source delivered usable video (codec configuration and a keyframe) this session. */
  readonly live: boolean;
  /** Video access units published this session. */
  readonly frames: number;
  /** `aborted`: stopped by its owner; `ended`: the source ended it; `failed`: see `error`. */
  readonly end: 'aborted' | 'ended' | 'failed';
  readonly error?: PullError;
}
