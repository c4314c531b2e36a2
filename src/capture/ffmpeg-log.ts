import '../util/polyfill.js';
import { AV_LOG_QUIET, AV_LOG_WARNING } from 'node-av/constants';
import { Log } from 'node-av/lib';

/**
 * FFmpeg's own log lines go straight to stderr, unstructured. Decode and encode failures
 * reach livesnap as errors anyway (and are logged as JSON with the stream identity), so
 * FFmpeg is silent unless livesnap logs at debug or trace.
 */
export function configureFfmpegLog(level: string): void {
  Log.setLevel(level === 'debug' || level === 'trace' ? AV_LOG_WARNING : AV_LOG_QUIET);
}
