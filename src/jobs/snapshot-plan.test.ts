import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobError } from './job-errors.js';
import { planSnapshots } from './snapshot-plan.js';
import { resolveSettings } from './snapshot-settings.js';
import type { TemplateConfig } from './template-config.js';

const plan = (config: TemplateConfig, durationMs: number | undefined) =>
  planSnapshots(resolveSettings(config), durationMs);

describe('planSnapshots', () => {
  it('takes Count snapshots Interval apart from Time, dropping those past the end', () => {
    assert.deepEqual(plan({ Count: 3, Interval: 2, Time: 500 }, 10_000).times, [500, 2500, 4500]);
    assert.deepEqual(plan({ Count: 9, Interval: 4 }, 10_000).times, [0, 4000, 8000]);
    assert.deepEqual(plan({ Count: 2, Interval: 0.5 }, 10_000).times, [0, 500]);
  });

  it('spreads Count evenly without an Interval', () => {
    assert.deepEqual(plan({ Count: 4 }, 10_000).times, [0, 2500, 5000, 7500]);
    assert.deepEqual(plan({ Count: 2, Time: 2000 }, 10_000).times, [2000, 6000]);
    assert.deepEqual(plan({ Count: 1, Time: 3000 }, undefined).times, [3000]);
    assert.throws(() => plan({ Count: 3 }, undefined), JobError);
  });

  it('covers the video to its end for sprites and WebVTT without a Count', () => {
    const sprite = plan({ Type: 'Sprite', Interval: 3 }, 10_000);
    assert.deepEqual(sprite.times, [0, 3000, 6000, 9000]);
    assert.equal(sprite.endMs, 10_000);
    assert.equal(plan({ Type: 'Sprite' }, 10_000).times.length, 100);
    assert.deepEqual(plan({ Type: 'WebVtt' }, 25_000).times, [0, 10_000, 20_000]);
    const unknown = plan({ Type: 'WebVtt', Interval: 2 }, undefined);
    assert.equal(unknown.untilEnd, true);
    assert.equal(unknown.times.length, 10_000);
  });

  it('fails when Time is past the end', () => {
    assert.throws(() => plan({ Count: 1, Time: 10_000 }, 10_000), /not before the end/);
  });
});
