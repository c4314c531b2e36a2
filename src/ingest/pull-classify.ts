import '../util/polyfill.js';
import { constants } from 'node:os';
import {
  AVERROR_DEMUXER_NOT_FOUND,
  AVERROR_EOF,
  AVERROR_EPERM,
  AVERROR_HTTP_BAD_REQUEST,
  AVERROR_HTTP_FORBIDDEN,
  AVERROR_HTTP_NOT_FOUND,
  AVERROR_HTTP_OTHER_4XX,
  AVERROR_HTTP_SERVER_ERROR,
  AVERROR_HTTP_TOO_MANY_REQUESTS,
  AVERROR_HTTP_UNAUTHORIZED,
  AVERROR_INVALIDDATA,
  AVERROR_PATCHWELCOME,
  AVERROR_PROTOCOL_NOT_FOUND,
  AVERROR_STREAM_NOT_FOUND,
} from 'node-av/constants';
import { FFmpegError } from 'node-av/lib';
import { BadSourceError, SourceUnavailableError, type PullError } from './pull-errors.js';
import type { WatchdogReason } from './pull-watchdog.js';

/**
 * What an FFmpeg error code says about a source (see pull-errors.ts for what each class
 * means to a job). Codes that do not decide it (a timeout or an I/O error while opening: a
 * host that is down, or one that accepted the connection and then stayed silent or sent
 * garbage) are `ambiguous`: the caller settles them with a TCP probe.
 */
export type FailureKind = 'unavailable' | 'bad' | 'ambiguous';

const ERRNO: Readonly<Record<string, number | undefined>> = constants.errno;
/** FFmpeg's AVERROR(e) for a POSIX errno name (NaN where the platform lacks it). */
const errno = (name: string): number => -(ERRNO[name] ?? NaN);

/** The source is not there (yet): not listening, not found, refused to play, over capacity. */
const UNAVAILABLE = new Set<number>([
  errno('ECONNREFUSED'),
  errno('ENETUNREACH'),
  errno('EHOSTUNREACH'),
  errno('EHOSTDOWN'),
  errno('EADDRNOTAVAIL'),
  AVERROR_EOF,
  AVERROR_EPERM, // RTMP servers answering play with an error (stream not found / not live)
  AVERROR_HTTP_NOT_FOUND,
  AVERROR_HTTP_SERVER_ERROR,
  AVERROR_HTTP_TOO_MANY_REQUESTS,
]);

/** The source answers, but not with a stream we can use. */
const BAD = new Set<number>([
  AVERROR_INVALIDDATA,
  AVERROR_PATCHWELCOME,
  AVERROR_DEMUXER_NOT_FOUND,
  AVERROR_PROTOCOL_NOT_FOUND,
  AVERROR_STREAM_NOT_FOUND,
  AVERROR_HTTP_BAD_REQUEST,
  AVERROR_HTTP_UNAUTHORIZED,
  AVERROR_HTTP_FORBIDDEN,
  AVERROR_HTTP_OTHER_4XX,
  errno('ENOSYS'),
]);

export function classifyCode(code: number): FailureKind {
  if (UNAVAILABLE.has(code)) return 'unavailable';
  if (BAD.has(code)) return 'bad';
  return 'ambiguous';
}

/** FFmpeg's text for a code, e.g. "Connection refused". */
export function ffmpegText(code: number): string {
  try {
    return FFmpegError.strerror(code);
  } catch {
    return `error ${code}`;
  }
}

export function pullError(kind: 'unavailable' | 'bad', message: string): PullError {
  return kind === 'unavailable' ? new SourceUnavailableError(message) : new BadSourceError(message);
}

/** The message for a watchdog interruption during `phase`. */
export function timeoutMessage(reason: WatchdogReason, ms: number): string {
  switch (reason) {
    case 'open-timeout':
      return `the source did not open within ${ms} ms`;
    case 'start-timeout':
      return `no usable video within ${ms} ms of connecting`;
    case 'read-timeout':
      return `no video for ${ms} ms`;
    case 'aborted':
      return 'stopped';
  }
}
