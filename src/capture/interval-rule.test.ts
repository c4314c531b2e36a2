import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalRule } from './interval-rule.js';

interface Unit {
  readonly ts: number;
  readonly key: boolean;
}

/** Feed units, return the timestamps of the captured ones. */
function run(rule: IntervalRule, units: readonly Unit[]): number[] {
  return units.filter((u) => rule.decide(u.ts, u.key)).map((u) => u.ts);
}

/** A regular stream: frames every `frameMs`, a keyframe every `gop` frames. */
function stream(from: number, count: number, frameMs = 40, gop = 25): Unit[] {
  return Array.from({ length: count }, (_, i) => ({ ts: from + i * frameMs, key: i % gop === 0 }));
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('IntervalRule', () => {
  it('captures the first keyframe, then the first keyframe at or after previous + interval', () => {
    const rule = new IntervalRule(5000);
    // 1 s GOP: keyframes at 0, 1000, 2000...
    const caps = run(rule, stream(0, 25 * 16));
    assert.deepEqual(caps, [0, 5000, 10000, 15000]);
    assert.equal(rule.reason, 'interval');
  });

  it('cancelLast(): a capture that could not happen moves to the next keyframe', () => {
    const rule = new IntervalRule(5000);
    const caps: number[] = [];
    for (const u of stream(0, 25 * 12)) {
      if (!rule.decide(u.ts, u.key)) continue;
      // The first keyframe and the one at 5 s cannot be taken.
      if (u.ts === 0 || u.ts === 5000) rule.cancelLast();
      else caps.push(u.ts);
    }
    assert.deepEqual(caps, [1000, 6000, 11000]);
    assert.equal(rule.reason, 'interval');
    // Cancelling 11 s makes 12 s due (6 s + 5 s); a second call changes nothing more.
    rule.cancelLast();
    rule.cancelLast();
    assert.equal(rule.decide(12000, true), true);
  });

  it('skips non-keyframes before the first keyframe', () => {
    const rule = new IntervalRule(5000);
    assert.equal(rule.decide(0, false), false);
    assert.equal(rule.decide(40, false), false);
    assert.equal(rule.decide(80, true), true);
    assert.equal(rule.reason, 'first');
  });

  it('never captures a non-keyframe', () => {
    const rule = new IntervalRule(1);
    for (let ts = 0; ts < 100_000; ts += 1000) assert.equal(rule.decide(ts, false), false);
  });

  it('with a GOP longer than the interval captures every keyframe', () => {
    const rule = new IntervalRule(5000);
    const caps = run(rule, stream(0, 30 * 40, 40, 200)); // keyframe every 8 s
    assert.deepEqual(caps, [0, 8000, 16000, 24000, 32000, 40000]);
  });

  it('the boundary is inclusive and keyframes off the grid are taken as they come', () => {
    const rule = new IntervalRule(5000);
    const units = [0, 4999, 5000, 7000, 9999, 10001, 14999, 15001].map((ts) => ({ ts, key: true }));
    assert.deepEqual(run(rule, units), [0, 5000, 10001, 15001]);
  });

  it('starts at any timestamp (a stream joined late)', () => {
    const rule = new IntervalRule(5000);
    assert.deepEqual(run(rule, stream(1_234_567, 25 * 11)), [1_234_567, 1_239_567, 1_244_567]);
  });

  it('a forward jump of hours yields one capture, then normal spacing (no burst)', () => {
    const rule = new IntervalRule(5000);
    const jump = 3 * 3600_000;
    const units = [...stream(0, 25 * 6), ...stream(jump, 25 * 11)];
    assert.deepEqual(run(rule, units), [0, 5000, jump, jump + 5000, jump + 10000]);
  });

  it('a reset to an earlier timestamp captures the first keyframe after it, then spacing', () => {
    const rule = new IntervalRule(5000);
    // captures at 0, 5000, then the encoder restarts at 7000 ms and begins again at 0
    const units = [...stream(0, 25 * 7), ...stream(0, 25 * 12)];
    assert.deepEqual(run(rule, units), [0, 5000, 0, 5000, 10000]);
    const rule2 = new IntervalRule(5000);
    run(rule2, stream(0, 25 * 7));
    assert.equal(rule2.decide(0, true), true);
    assert.equal(rule2.reason, 'reset');
  });

  it('a reset seen on a non-keyframe arms the next keyframe once', () => {
    const rule = new IntervalRule(5000);
    run(rule, stream(0, 25 * 7));
    assert.equal(rule.decide(100, false), false); // reset observed here
    assert.equal(rule.decide(140, false), false);
    assert.equal(rule.decide(180, true), true);
    assert.equal(rule.decide(1180, true), false);
  });

  it('several resets before the next keyframe still capture only once', () => {
    const rule = new IntervalRule(5000);
    run(rule, stream(100_000, 25 * 3));
    rule.decide(50_000, false);
    rule.decide(10_000, false);
    rule.decide(0, false);
    assert.equal(rule.decide(40, true), true);
    assert.equal(rule.decide(1040, true), false);
  });

  it('treats small backward steps as jitter, not as a reset', () => {
    const rule = new IntervalRule(5000);
    assert.equal(rule.decide(10_000, true), true);
    assert.equal(rule.decide(9_500, true), false); // 500 ms back: jitter
    assert.equal(rule.decide(12_000, true), false);
    assert.equal(rule.decide(15_000, true), true);
  });

  it('honours a custom reset tolerance', () => {
    const rule = new IntervalRule(5000, { resetToleranceMs: 0 });
    assert.equal(rule.decide(10_000, true), true);
    assert.equal(rule.decide(9_990, true), true);
    assert.equal(rule.reason, 'reset');
  });

  it('continues across a 32-bit timestamp wrap without a reset capture', () => {
    const rule = new IntervalRule(5000);
    const start = 2 ** 32 - 7000; // wraps 7 s in
    const units = stream(start, 25 * 16).map((u) => ({ ...u, ts: u.ts % 2 ** 32 }));
    const caps = run(rule, units);
    assert.deepEqual(caps, [start, start + 5000, start + 10000 - 2 ** 32, start + 15000 - 2 ** 32]);
    assert.equal(rule.reason, 'interval');
  });

  it('places a late unit from before a wrap on the old side', () => {
    const rule = new IntervalRule(5000);
    assert.equal(rule.decide(2 ** 32 - 100, true), true);
    assert.equal(rule.decide(50, false), false); // wrapped
    assert.equal(rule.decide(2 ** 32 - 60, false), false); // late, pre-wrap: no reset
    assert.equal(rule.decide(4800, true), false); // 4950 ms after the capture
    assert.equal(rule.decide(4950, true), true);
    assert.equal(rule.reason, 'interval');
  });

  it('flapping timestamps do not flood: a second reset within one interval does not re-arm', () => {
    const rule = new IntervalRule(5000);
    const caps: string[] = [];
    const feed = (ts: number, key: boolean) => {
      if (rule.decide(ts, key)) caps.push(`${ts}:${rule.reason}`);
    };
    for (let ts = 100_000; ts <= 120_000; ts += 1000) feed(ts, true);
    for (let ts = 0; ts <= 2000; ts += 1000) feed(ts, true); // reset: captured at 0
    for (let ts = 50_000; ts <= 52_000; ts += 1000) feed(ts, true); // jump forward: not a reset
    for (let ts = 0; ts <= 8000; ts += 1000) feed(ts, true); // reset again 2 s after a reset capture
    assert.deepEqual(caps, [
      '100000:first',
      '105000:interval',
      '110000:interval',
      '115000:interval',
      '120000:interval',
      '0:reset',
      '50000:interval',
      '0:reset',
      '5000:interval',
    ]);
    // After 50000 (an interval capture), the reset at 0 captured at once; then a reset
    // right after that reset capture is flapping and only rebases.
    const r2 = new IntervalRule(5000);
    r2.decide(10_000, true); // first
    r2.decide(0, true); // reset capture
    assert.equal(r2.decide(20_000, false), false);
    assert.equal(r2.decide(1000, true), true, 'reset after a forward jump past the interval');
    const r3 = new IntervalRule(5000);
    r3.decide(10_000, true); // first
    r3.decide(0, true); // reset capture
    r3.decide(2000, true);
    assert.equal(r3.decide(-5000, true), false, 'flapping: only rebased');
    assert.equal(r3.decide(-2500, true), false);
    assert.equal(r3.decide(-2000, true), true, '5 s of stream time after the reset capture');
  });

  it('ignores non-finite timestamps', () => {
    const rule = new IntervalRule(5000);
    assert.equal(rule.decide(Number.NaN, true), false);
    assert.equal(rule.decide(Number.POSITIVE_INFINITY, true), false);
    assert.equal(rule.decide(0, true), true);
  });

  it('rejects a non-positive interval', () => {
    assert.throws(() => new IntervalRule(0), RangeError);
    assert.throws(() => new IntervalRule(-5), RangeError);
    assert.throws(() => new IntervalRule(Number.NaN), RangeError);
  });

  describe('randomized properties', () => {
    const seeds = Array.from({ length: 200 }, (_, i) => i + 1);

    it('on a monotone timeline it is exactly the contract rule (no capture too close, no stall)', () => {
      for (const seed of seeds) {
        const rnd = mulberry32(seed);
        const interval = 1000 + Math.floor(rnd() * 10_000);
        const rule = new IntervalRule(interval);
        let ts = Math.floor(rnd() * 1e9);
        let last: number | undefined;
        for (let i = 0; i < 2000; i++) {
          // steps of 0..3 s, sometimes a long gap (forward jumps)
          ts += rnd() < 0.01 ? Math.floor(rnd() * 1e7) : Math.floor(rnd() * 3000);
          const key = rnd() < 0.2;
          const expected = key && (last === undefined || ts - last >= interval);
          const got = rule.decide(ts, key);
          assert.equal(got, expected, `seed ${seed} unit ${i} ts ${ts}`);
          if (got) last = ts;
        }
      }
    });

    it('with resets and jitter: no stall, at most one reset capture per reset, no flood', () => {
      for (const seed of seeds) {
        const rnd = mulberry32(seed * 7919);
        const interval = 2000 + Math.floor(rnd() * 8000);
        const rule = new IntervalRule(interval);
        let ts = Math.floor(rnd() * 1e6);
        let head = ts;
        /** Stream time elapsed since the last capture: forward progress of the head only. */
        let sinceCapture: number | undefined;
        let captures = 0;
        let resetCaptures = 0;
        let resets = 0;
        let resetPending = false;
        for (let i = 0; i < 3000; i++) {
          const r = rnd();
          let reset = false;
          if (r < 0.005) {
            ts = Math.floor(rnd() * 1e5); // encoder restart: back to a small timestamp
            if (ts < head - 1000) reset = true;
          } else if (r < 0.05) {
            ts = head - Math.floor(rnd() * 900); // jitter within tolerance of the head
          } else {
            ts += 20 + Math.floor(rnd() * 200);
          }
          if (reset) {
            resets++;
            resetPending = true;
            head = ts;
          } else if (ts > head) {
            if (sinceCapture !== undefined) sinceCapture += ts - head;
            head = ts;
          }
          const key = rnd() < 0.1;
          const got = rule.decide(ts, key);
          if (!key) {
            assert.equal(got, false);
            continue;
          }
          if (got) {
            captures++;
            if (rule.reason === 'reset') {
              resetCaptures++;
              assert.ok(resetPending, `seed ${seed}: reset capture without a reset`);
            } else if (rule.reason === 'interval') {
              assert.ok(sinceCapture !== undefined && sinceCapture >= interval - 1000);
            }
            resetPending = false;
            sinceCapture = 0;
          } else {
            // No stall: a keyframe one interval (plus the jitter allowance) of elapsed
            // stream time after the last capture is taken.
            assert.ok(
              sinceCapture !== undefined && sinceCapture < interval + 1000,
              `seed ${seed} unit ${i}: stalled (${sinceCapture} ms >= ${interval} ms since capture)`,
            );
          }
        }
        assert.ok(resetCaptures <= resets, `seed ${seed}: more reset captures than resets`);
        assert.ok(captures > 0);
      }
    });
  });
});
