/**
 * The live capture rule of DESIGN.md §3, pure and per stream: only keyframes are captured;
 * the first keyframe after publishing starts is captured; afterwards the first keyframe whose
 * stream timestamp is at least `intervalMs` after the previous snapshot's.
 *
 * Feed it every access unit of the stream (not only keyframes) in arrival order, with one
 * timestamp kind throughout (dts is best: it is monotonic in decode order). Timestamps are
 * milliseconds. It never stalls and never floods:
 *
 * - 32-bit wrap-around (raw RTMP timestamps): a backward step of more than 2^31 ms is read as a
 *   wrap and the timeline continues.
 * - Forward jumps (hours): the next keyframe is captured once, then normal spacing resumes
 *   from it; there is no catching up.
 * - Resets (the timestamp goes back by more than `resetToleranceMs`, e.g. an encoder restart):
 *   a new timeline. The first keyframe after the reset is captured (at most one capture per
 *   reset), then spacing continues from it. If the previous snapshot was itself taken because
 *   of a reset less than one interval ago (timestamps flapping), no immediate capture: the
 *   time already elapsed since that snapshot carries over into the new timeline, so capture
 *   resumes within one interval.
 * - Small backward steps (jitter, reordering within the tolerance) are ignored.
 */

const WRAP = 2 ** 32;
const HALF_WRAP = 2 ** 31;

/** Backward steps up to this are jitter rather than a timestamp reset. */
export const DEFAULT_RESET_TOLERANCE_MS = 1000;

export interface IntervalRuleOptions {
  /** Backward steps of at most this many ms are not a reset (default 1000). */
  readonly resetToleranceMs?: number;
}

/** Why the last `decide()` that returned true captured. */
export type CaptureReason = 'first' | 'interval' | 'reset';

export class IntervalRule {
  readonly intervalMs: number;
  private readonly toleranceMs: number;
  /** Added to raw timestamps after 32-bit wraps. */
  private wrapOffset = 0;
  private lastRaw: number | undefined;
  /** Highest (unwrapped) timestamp seen on the current timeline. */
  private head: number | undefined;
  /** Timestamp of the previous snapshot on the current timeline (rebased after a reset). */
  private lastCapture: number | undefined;
  /** The next keyframe is captured regardless of spacing: publish start or a reset. */
  private armed: 'first' | 'reset' | undefined = 'first';
  private lastReason: CaptureReason | undefined;
  /** State before the last capture, for cancelLast(). */
  private before:
    | {
        lastCapture: number | undefined;
        armed: 'first' | 'reset' | undefined;
        reason: CaptureReason | undefined;
      }
    | undefined;

  constructor(intervalMs: number, options: IntervalRuleOptions = {}) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new RangeError(`capture interval must be a positive number of ms, got ${intervalMs}`);
    }
    this.intervalMs = intervalMs;
    this.toleranceMs = Math.max(0, options.resetToleranceMs ?? DEFAULT_RESET_TOLERANCE_MS);
  }

  /** Why the most recent capture happened (undefined before the first one). */
  get reason(): CaptureReason | undefined {
    return this.lastReason;
  }

  /** Observe one access unit; true when it is a keyframe to capture now. */
  decide(ts: number, keyframe: boolean): boolean {
    if (!Number.isFinite(ts)) return false;
    const t = this.unwrap(ts);
    if (this.head === undefined || t > this.head) {
      this.head = t;
    } else if (t < this.head - this.toleranceMs) {
      this.reset(t);
    }
    if (!keyframe) return false;

    let reason: CaptureReason | undefined = this.armed;
    if (
      reason === undefined &&
      this.lastCapture !== undefined &&
      t - this.lastCapture >= this.intervalMs
    ) {
      reason = 'interval';
    }
    if (reason === undefined) return false;
    this.before = { lastCapture: this.lastCapture, armed: this.armed, reason: this.lastReason };
    this.lastCapture = t;
    this.armed = undefined;
    this.lastReason = reason;
    return true;
  }

  /**
   * The keyframe decide() just chose could not be captured (the decoder was full): forget
   * that choice, so the next keyframe is judged as if it had not been chosen (and is taken
   * when the interval has passed, as it has). Only the latest choice can be cancelled.
   */
  cancelLast(): void {
    const b = this.before;
    if (b === undefined) return;
    this.before = undefined;
    this.lastCapture = b.lastCapture;
    this.armed = b.armed;
    this.lastReason = b.reason;
  }

  private unwrap(ts: number): number {
    if (this.lastRaw !== undefined) {
      const step = ts - this.lastRaw;
      if (step < -HALF_WRAP) {
        this.wrapOffset += WRAP;
      } else if (step > HALF_WRAP && this.wrapOffset >= WRAP) {
        // A late unit from before the last wrap: place it there, keep lastRaw.
        return ts + this.wrapOffset - WRAP;
      }
    }
    this.lastRaw = ts;
    return ts + this.wrapOffset;
  }

  private reset(t: number): void {
    const head = this.head ?? t;
    this.head = t;
    if (this.lastCapture === undefined) return; // nothing captured yet: still armed 'first'
    const elapsed = Math.max(0, head - this.lastCapture);
    // Rebase the previous snapshot onto the new timeline, keeping the time already elapsed.
    this.lastCapture = t - elapsed;
    const flapping = this.lastReason === 'reset' && elapsed < this.intervalMs;
    if (!flapping && this.armed === undefined) this.armed = 'reset';
  }
}
