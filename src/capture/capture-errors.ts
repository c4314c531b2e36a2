import { LivesnapError, PermanentError } from '../errors.js';

/**
 * Errors of the capture engine's building blocks. The engine counts a snapshot as skipped on
 * CaptureOverloadedError and as failed on the others; none of them is retried for the same
 * keyframe (a later keyframe is the retry).
 */

/** The decode pool and its backlog are full: this keyframe is skipped, not queued. */
export class CaptureOverloadedError extends LivesnapError {
  constructor(running: number, queued: number) {
    super(
      'CAPTURE_OVERLOADED',
      `keyframe decoder overloaded (${running} decoding, ${queued} waiting): snapshot skipped`,
    );
  }
}

/** The decoder was closed before this keyframe could be decoded. */
export class CaptureClosedError extends PermanentError {
  constructor() {
    super('CAPTURE_CLOSED', 'keyframe decoder is closed');
  }
}

/** The stream's codec has no decoder here (av1 for now). */
export class UnsupportedCodecError extends PermanentError {
  constructor(codec: string) {
    super('CAPTURE_UNSUPPORTED_CODEC', `no keyframe decoder for codec ${codec}`);
  }
}

/** The keyframe (or its codec configuration) could not be decoded into a clean picture. */
export class KeyframeDecodeError extends PermanentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAPTURE_DECODE_FAILED', message, options);
  }
}

/** Converting or JPEG-encoding a decoded picture failed. */
export class JpegEncodeError extends PermanentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAPTURE_JPEG_FAILED', message, options);
  }
}
