/** Why a pull session's watchdog interrupted it. */
export type WatchdogReason = 'aborted' | 'open-timeout' | 'start-timeout' | 'read-timeout';

/**
 * Bounds the time a pull session can spend waiting on its source: `expect(reason, ms)` arms a
 * deadline that `progress()` pushes back; when it passes (or `fire()` is called) the session's
 * blocking FFmpeg call is interrupted and `reason` says why. One timer, re-armed lazily, so
 * `progress()` per packet costs a clock read.
 */
export class PullWatchdog {
  #reason: WatchdogReason | undefined;
  #armed: WatchdogReason | undefined;
  #windowMs = 0;
  #last = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #interrupt: () => void;

  constructor(interrupt: () => void) {
    this.#interrupt = interrupt;
  }

  /** Why it fired; undefined while it has not. */
  get reason(): WatchdogReason | undefined {
    return this.#reason;
  }

  expect(reason: WatchdogReason, windowMs: number): void {
    this.#armed = reason;
    this.#windowMs = windowMs;
    this.#last = performance.now();
    this.#schedule(windowMs);
  }

  progress(): void {
    this.#last = performance.now();
  }

  fire(reason: WatchdogReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.stop();
    this.#interrupt();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armed = undefined;
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#check(), Math.max(1, ms));
    this.#timer.unref();
  }

  #check(): void {
    this.#timer = undefined;
    if (this.#armed === undefined) return;
    const left = this.#last + this.#windowMs - performance.now();
    if (left > 0) this.#schedule(left);
    else this.fire(this.#armed);
  }
}
