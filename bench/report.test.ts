import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepResult, SweepOutcome } from './live.js';
import { ratios, renderMarkdown, targetChecks } from './report.js';

function step(system: string, streams: number, cpu: number, expected: number): StepResult {
  return {
    system: system as StepResult['system'],
    streams,
    status: 'measured',
    windowS: 60,
    published: streams,
    server: {
      cpuSeconds: cpu * streams,
      cpuSecondsPerStreamPerMin: cpu,
      corePercentPerStream: (cpu / 60) * 100,
      utilization: 0.2,
      processes: 1,
      mainThreadShare: 0.5,
      idleCpuSecondsPerMin: 0.1,
      idle: { rssBytes: 100 << 20 },
      loaded: { rssBytes: 200 << 20 },
      rssPerStreamMB: 1,
      pssPerStreamMB: undefined,
    },
    snapshots: {
      produced: expected,
      expected,
      periodS: 6,
      missedFraction: 0,
      streamsWithNone: 0,
      streamsWithoutFirst: 0,
    },
    latency: {
      p50Ms: 30,
      p99Ms: 90,
      count: expected,
      decode: { p50Ms: 20, p99Ms: 60, count: expected },
    },
    keptUp: true,
  } as StepResult;
}

const sweep = (expected: number): SweepOutcome => ({
  steps: [step('livesnap', 10, 0.3, expected), step('nginx-keyframe', 10, 1.2, expected)],
  stopped: {},
});

describe('bench report', () => {
  it('ratios and target checks from a capture run', () => {
    assert.deepEqual(ratios(sweep(100).steps), [
      { baseline: 'nginx-keyframe', streams: 10, cpu: 4, memory: 1, comparable: true },
    ]);
    const checks = targetChecks(sweep(100), undefined);
    assert.equal(checks[0]!.status, 'met');
    assert.equal(checks[1]!.measured, '4× at 10');
    assert.equal(checks[1]!.status, 'met');
    const md = renderMarkdown({
      title: 't',
      machine: 'm',
      versions: 'v',
      parameters: 'p',
      recipes: {},
      live: sweep(100),
      offline: undefined,
      offlineParameters: 'skipped',
    });
    const row = md.split('\n').find((l) => l.startsWith('| livesnap | 10 |'))!;
    assert.equal(row.split('|')[6]!.trim(), '100 / 100');
    assert.equal(row.split('|')[7]!.trim(), '30 / 90 (decode 20 / 60)');
  });

  it('a step where the baseline did not keep up is shown but not held against a target', () => {
    const s = sweep(100);
    const saturated = { ...s.steps[1]!, keptUp: false, stopReason: 'CPU saturated' };
    const only: SweepOutcome = { steps: [s.steps[0]!, saturated], stopped: {} };
    assert.equal(ratios(only.steps)[0]!.comparable, false);
    const check = targetChecks(only, undefined)[1]!;
    assert.equal(check.status, 'not measured');
    assert.match(check.measured, /no step where both kept up/);
    const md = renderMarkdown({
      title: 't',
      machine: 'm',
      versions: 'v',
      parameters: 'p',
      recipes: {},
      live: only,
      offline: undefined,
      offlineParameters: 'skipped',
    });
    assert.match(md, /\| nginx-keyframe \| 10 \| \(4×: not comparable/);
  });

  it('an ingest-only run claims no capture target and shows no snapshot counts', () => {
    const checks = targetChecks(sweep(0), undefined, false);
    const live = checks.filter((c) => !c.target.startsWith('offline'));
    assert.equal(live.length, 5);
    assert.ok(live.every((c) => c.status === 'not measured' && /--no-capture/.test(c.measured)));
    const md = renderMarkdown({
      title: 't',
      machine: 'm',
      versions: 'v',
      parameters: 'p',
      recipes: {},
      live: sweep(0),
      capture: false,
      offline: undefined,
      offlineParameters: 'skipped',
    });
    assert.match(md, /Ratios of ingest alone/);
    const row = md.split('\n').find((l) => l.startsWith('| livesnap | 10 |'))!;
    assert.equal(row.split('|')[6]!.trim(), '—');
    assert.doesNotMatch(md, /\| met \|/);
  });
});
