/**
 * Tracks a stream's keyframe interval (GOP duration) from keyframe timestamps, pure and tiny,
 * so the engine can report it in the stream status and warn once when it is longer than the
 * rule's capture interval (then every keyframe is captured and snapshots come less often than
 * asked).
 *
 * Gaps that are not a plausible keyframe interval (timestamp going back, or a jump of more
 * than `maxPlausibleMs`) are not measured. The warning needs two consecutive measured
 * intervals above the capture interval, so one dropped keyframe or one timestamp jump does
 * not trigger it.
 */

/** Gaps longer than this are timestamp jumps, not keyframe intervals. */
export const DEFAULT_MAX_PLAUSIBLE_GOP_MS = 10 * 60_000;

export class KeyframeIntervalTracker {
  private lastKeyTs: number | undefined;
  private last: number | undefined;
  private previous: number | undefined;
  private maxSeen = 0;
  private warned = false;
  private readonly maxPlausibleMs: number;

  constructor(options: { maxPlausibleMs?: number } = {}) {
    this.maxPlausibleMs = options.maxPlausibleMs ?? DEFAULT_MAX_PLAUSIBLE_GOP_MS;
  }

  /** The latest measured keyframe interval in ms (undefined until two keyframes were seen). */
  get intervalMs(): number | undefined {
    return this.last;
  }

  /** The longest measured keyframe interval in ms (0 before any). */
  get maxIntervalMs(): number {
    return this.maxSeen;
  }

  /** Observe one access unit (non-keyframes are ignored). */
  observe(ts: number, keyframe: boolean): void {
    if (!keyframe || !Number.isFinite(ts)) return;
    const prev = this.lastKeyTs;
    this.lastKeyTs = ts;
    if (prev === undefined) return;
    const gap = ts - prev;
    if (gap <= 0 || gap > this.maxPlausibleMs) {
      this.previous = undefined; // a timestamp reset or jump breaks the run
      return;
    }
    this.previous = this.last;
    this.last = gap;
    if (gap > this.maxSeen) this.maxSeen = gap;
  }

  /**
   * True exactly once per tracker: the first time the last two measured keyframe intervals
   * both exceed `captureIntervalMs`. Call it after `observe()` on keyframes.
   */
  shouldWarnLongerThan(captureIntervalMs: number): boolean {
    if (this.warned || this.last === undefined || this.previous === undefined) return false;
    if (this.last > captureIntervalMs && this.previous > captureIntervalMs) {
      this.warned = true;
      return true;
    }
    return false;
  }
}
