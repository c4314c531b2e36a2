import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyframeIntervalTracker } from './keyframe-interval.js';

describe('KeyframeIntervalTracker', () => {
  it('measures the interval between keyframes and ignores other frames', () => {
    const t = new KeyframeIntervalTracker();
    assert.equal(t.intervalMs, undefined);
    for (let ts = 0; ts <= 10_000; ts += 40) t.observe(ts, ts % 2000 === 0);
    assert.equal(t.intervalMs, 2000);
    assert.equal(t.maxIntervalMs, 2000);
  });

  it('warns once when two consecutive intervals exceed the capture interval', () => {
    const t = new KeyframeIntervalTracker();
    const warnings: number[] = [];
    for (let ts = 0; ts <= 80_000; ts += 8000) {
      t.observe(ts, true);
      if (t.shouldWarnLongerThan(5000)) warnings.push(ts);
    }
    assert.deepEqual(warnings, [16_000]);
    assert.equal(t.intervalMs, 8000);
  });

  it('does not warn on a single long gap (a dropped keyframe) or when the GOP fits', () => {
    const t = new KeyframeIntervalTracker();
    for (const ts of [0, 2000, 4000, 12_000, 14_000, 16_000]) {
      t.observe(ts, true);
      assert.equal(t.shouldWarnLongerThan(5000), false);
    }
    assert.equal(t.maxIntervalMs, 8000);
  });

  it('does not measure across timestamp resets or jumps', () => {
    const t = new KeyframeIntervalTracker({ maxPlausibleMs: 60_000 });
    for (const ts of [100_000, 102_000, 0, 2000]) t.observe(ts, true);
    assert.equal(t.intervalMs, 2000);
    t.observe(2000 + 3_600_000, true); // jump: not measured
    t.observe(2000 + 3_600_000 + 9000, true);
    assert.equal(t.intervalMs, 9000);
    assert.equal(t.maxIntervalMs, 9000);
    assert.equal(t.shouldWarnLongerThan(5000), false, 'the jump broke the run of long intervals');
  });
});
