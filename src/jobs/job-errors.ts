import { LivesnapError, PermanentError } from '../errors.js';

/**
 * Why a snapshot job failed. The code is the job's `Code` in GetSnapshotJob and in the
 * completion callback; the message is its `Message`. All are permanent for the job (a
 * resubmitted job may succeed once the cause is fixed), except JobInterruptedError, which
 * only means the job was cut short (shutdown): the service puts it back in its queue.
 */
export const JobErrorCode = {
  /** The input object, URL or media id does not exist. */
  InputNotFound: 'InputNotFound',
  /** The input cannot be opened or demuxed (corrupt, truncated, not a media file). */
  InputUnreadable: 'InputUnreadable',
  /** The input has no video stream. */
  NoVideoStream: 'NoVideoStream',
  /** A frame needed for a snapshot could not be decoded (damaged data, unknown codec). */
  DecodeFailed: 'DecodeFailed',
  /** The input holds no frame at the requested times (Time beyond the end). */
  NoFrames: 'NoFrames',
  /** An output could not be stored. */
  StorageFailed: 'StorageFailed',
  /** The job was cancelled (CancelSnapshotJob). */
  Cancelled: 'JobCancelled',
  /** The job was interrupted by restarts more often than `jobs.maxAttempts`. */
  Interrupted: 'JobInterrupted',
  /** The stored template cannot be used (should not happen: it is checked on submit). */
  InvalidTemplate: 'InvalidTemplate',
  InternalError: 'InternalError',
} as const;
export type JobErrorCode = (typeof JobErrorCode)[keyof typeof JobErrorCode];

/** A job failure with the code it is reported with. */
export class JobError extends PermanentError {
  readonly jobCode: JobErrorCode;
  constructor(jobCode: JobErrorCode, message: string, options?: { cause?: unknown }) {
    super(`JOB_${jobCode.toUpperCase()}`, message, options);
    this.jobCode = jobCode;
  }
}

/** The job was stopped because the service is shutting down: it is run again later. */
export class JobInterruptedError extends LivesnapError {
  constructor() {
    super('JOB_INTERRUPTED', 'the job was interrupted by a shutdown');
  }
}
