/**
 * Extends 32-bit RTMP timestamps (ms, wrapping every ~49.7 days) to a monotonic-ish number
 * line. A step back of more than half the range is a wrap forward; once wrapped, a value
 * slightly behind the wrap point (reordered or late) is placed before it, not 2^32 ahead.
 */
const RANGE = 0x1_0000_0000;
const HALF = 0x8000_0000;

export class TimestampExtender {
  private last = -1;
  private epoch = 0;

  extend(timestamp: number): number {
    const ts = timestamp >>> 0;
    if (this.last < 0) {
      this.last = ts;
      return ts;
    }
    const diff = ts - this.last;
    if (diff < -HALF) {
      this.epoch += RANGE;
    } else if (diff > HALF && this.epoch > 0) {
      return this.epoch - RANGE + ts;
    }
    this.last = ts;
    return this.epoch + ts;
  }
}
