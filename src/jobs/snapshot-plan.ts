import { JobError, JobErrorCode } from './job-errors.js';
import { SnapshotType } from './template-config.js';
import type { SnapshotSettings } from './snapshot-settings.js';
import { DEFAULT_COLUMNS, DEFAULT_LINES } from './snapshot-geometry.js';
import { SETTINGS_DEFAULTS } from './snapshot-settings.js';
import { formatMs } from './time-text.js';

/** At most this many snapshots per job. */
export const MAX_SNAPSHOTS = 10_000;

/** The times (ms from the start of the video) a job takes pictures at. */
export interface SnapshotPlan {
  readonly times: readonly number[];
  /**
   * The list runs to the end of the video, whose length is unknown: running out of frames
   * ends the list instead of failing the job.
   */
  readonly untilEnd: boolean;
  /** Where the last WebVTT cue ends, ms (the video's length, else last time + interval). */
  readonly endMs: number;
}

/**
 * Snapshot times (pure):
 * - Count and Interval: Count times, Interval apart, from Time.
 * - Count without Interval: spread evenly over [Time, end of video) (the VOD behaviour); one
 *   snapshot is simply at Time.
 * - Sprite / WebVtt without Count: every Interval seconds from Time to the end of the video,
 *   so the last sheet covers the end. Without Interval either: a Sprite gets one full default
 *   sheet (10 × 10) spread over the video, a WebVtt one thumbnail every 10 s.
 * Times at or past the end of the video (when its length is known) are dropped; when none
 * is left the job fails (Time beyond the end).
 */
export function planSnapshots(
  settings: SnapshotSettings,
  durationMs: number | undefined,
): SnapshotPlan {
  const start = settings.timeMs;
  let count = settings.count;
  let interval = settings.intervalMs;
  if (count === undefined && interval === undefined) {
    if (settings.type === SnapshotType.Sprite) count = DEFAULT_COLUMNS * DEFAULT_LINES;
    else interval = SETTINGS_DEFAULTS.webVttIntervalMs;
  }
  const known = durationMs !== undefined && durationMs > 0;
  if (known && start >= durationMs) {
    throw new JobError(
      JobErrorCode.NoFrames,
      `Time ${formatMs(start)} is not before the end of the video (${formatMs(durationMs)})`,
    );
  }
  const times: number[] = [];
  let untilEnd = false;
  if (interval !== undefined) {
    const n = count ?? MAX_SNAPSHOTS;
    untilEnd = count === undefined && !known;
    for (let i = 0; i < Math.min(n, MAX_SNAPSHOTS); i++) {
      const t = start + i * interval;
      if (known && t >= durationMs) break;
      times.push(t);
    }
  } else {
    const n = Math.min(count!, MAX_SNAPSHOTS);
    if (n === 1) times.push(start);
    else if (!known) {
      throw new JobError(
        JobErrorCode.NoFrames,
        'the length of the video is unknown: give an Interval to take several snapshots',
      );
    } else {
      const step = (durationMs - start) / n;
      for (let i = 0; i < n; i++) times.push(Math.round(start + i * step));
    }
  }
  const last = times[times.length - 1] ?? start;
  const endMs = known ? durationMs : last + (interval ?? SETTINGS_DEFAULTS.webVttIntervalMs);
  return { times, untilEnd, endMs };
}
