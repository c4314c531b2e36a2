import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadSourceError,
  SourceUnavailableError,
  UnsupportedSourceError,
  type PullOutcome,
} from '../src/ingest/pull-errors.js';
import { silentLogger } from '../src/log.js';
import { backoffDelay } from '../src/jobs/live-job-backoff.js';
import {
  fillCaptureTime,
  jobRuleTemplate,
  liveFormatProblem,
} from '../src/jobs/live-job-naming.js';
import { liveJobRules } from '../src/jobs/live-job-rules.js';
import { LiveJobRunner, type ConnectSource } from '../src/jobs/live-job-runner.js';
import { LIVE_JOBS_APP, LIVE_JOBS_DOMAIN } from '../src/jobs/live-job-keys.js';

/** The pure parts of live snapshot jobs: backoff, naming, rule composition, the runner loop. */

describe('live job backoff', () => {
  it('doubles from the base up to the cap, jittered downwards only', () => {
    const policy = { baseMs: 100, capMs: 1000, jitter: 0 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, policy)),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(
      backoffDelay(3, { baseMs: 100, capMs: 1000 }, () => 1),
      320,
    );
    assert.equal(
      backoffDelay(3, { baseMs: 100, capMs: 1000 }, () => 0),
      400,
    );
  });
});

describe('live job naming', () => {
  it('validates formats per kind', () => {
    assert.equal(liveFormatProblem('overwrite', 'snapshot/{JobId}.jpg'), undefined);
    assert.equal(liveFormatProblem('sequence', 'a/{JobId}/{Date}/{Sequence}.jpg'), undefined);
    assert.match(liveFormatProblem('overwrite', 'a/{Sequence}.jpg')!, /not allowed/);
    assert.match(liveFormatProblem('sequence', 'a/{Date}.jpg')!, /\{UnixTimestamp\} or/);
    assert.match(liveFormatProblem('sequence', '/a/{Sequence}.jpg')!, /start with/);
    assert.match(liveFormatProblem('sequence', 'a//{Sequence}.jpg')!, /empty path segment/);
  });

  it('fills {JobId} per job and {UnixTimestamp} (ms) and {Date} per capture', () => {
    const template = jobRuleTemplate('s/{JobId}/{Date}/{UnixTimestamp}-{Sequence}.jpg', 'j1');
    assert.equal(template, 's/j1/{Date}/{UnixTimestamp}-{Sequence}.jpg');
    const at = Date.UTC(2026, 10, 21, 23, 59, 59, 123);
    assert.equal(fillCaptureTime(template, at), `s/j1/2026-11-21/${at}-{Sequence}.jpg`);
  });
});

describe('live job rules', () => {
  const rule = {
    domain: LIVE_JOBS_DOMAIN,
    ruleApp: LIVE_JOBS_APP,
    timeIntervalSec: 5,
    endpoint: 'local',
    bucket: 'b',
  };
  const other = { ...rule, domain: 'example.com', ruleApp: 'live' };
  const rules = liveJobRules(
    { ruleFor: (id) => (id === 'job1' ? rule : undefined) },
    { resolveRule: async (domain) => (domain === 'example.com' ? other : undefined) },
  );

  it('job streams get their job rule, nothing else from the jobs domain', async () => {
    assert.equal(await rules.resolveRule(LIVE_JOBS_DOMAIN, LIVE_JOBS_APP, 'job1'), rule);
    assert.equal(await rules.resolveRule(LIVE_JOBS_DOMAIN, LIVE_JOBS_APP, 'job2'), undefined);
    assert.equal(await rules.resolveRule(LIVE_JOBS_DOMAIN, 'live', 'job1'), undefined);
    assert.equal(await rules.resolveRule('example.com', 'live', 'cam'), other);
  });
});

describe('live job runner', () => {
  const backoff = { baseMs: 5, capMs: 20 };

  function runner(outcomes: Array<PullOutcome | (() => PullOutcome)>, maxBadAttempts = 3) {
    const events: string[] = [];
    let given: Error | undefined;
    let calls = 0;
    const connect: ConnectSource = async (_signal, onLive) => {
      const next = outcomes[Math.min(calls++, outcomes.length - 1)]!;
      const outcome = typeof next === 'function' ? next() : next;
      if (outcome.live) onLive();
      return outcome;
    };
    const r = new LiveJobRunner({
      jobId: 'j',
      connect,
      backoff,
      maxBadAttempts,
      stableSessionMs: 0,
      logger: silentLogger(),
      onLive: () => events.push('live'),
      onError: (e) => events.push(`error:${e.message}`),
      onGiveUp: (e) => (given = e),
    });
    return { r, events, given: () => given, calls: () => calls };
  }
  const failed = (error: Error, live = false): PullOutcome => ({
    live,
    frames: live ? 10 : 0,
    end: 'failed',
    error: error as BadSourceError,
  });
  const waitUntil = async (check: () => boolean) => {
    for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(check());
  };

  it('gives up after maxBadAttempts bad sessions in a row', async () => {
    const t = runner([failed(new BadSourceError('garbage'))], 3);
    t.r.start();
    await waitUntil(() => t.given() !== undefined);
    assert.equal(t.calls(), 3);
    assert.equal(t.r.status.state, 'stopped');
    assert.equal(t.r.status.lastError, 'garbage');
  });

  it('gives up at once on an unsupported source', async () => {
    const t = runner([failed(new UnsupportedSourceError('vp9'))]);
    t.r.start();
    await waitUntil(() => t.given() !== undefined);
    assert.equal(t.calls(), 1);
  });

  it('retries an unavailable source for ever; a live session resets the bad count', async () => {
    const t = runner([
      failed(new BadSourceError('bad 1')),
      failed(new BadSourceError('bad 2')),
      failed(new SourceUnavailableError('refused')),
      failed(new BadSourceError('dropped garbage'), true),
      failed(new BadSourceError('bad 3')),
      failed(new SourceUnavailableError('refused')),
    ]);
    t.r.start();
    await waitUntil(() => t.calls() >= 12);
    assert.equal(t.given(), undefined);
    assert.equal(t.r.status.state, 'reconnecting', 'it has been live');
    assert.ok(t.r.everLive);
    await t.r.stop();
    assert.equal(t.r.status.state, 'stopped');
    assert.deepEqual(t.events.slice(0, 4), ['error:bad 1', 'error:bad 2', 'error:refused', 'live']);
  });

  it('wake() cuts a backoff wait short', async () => {
    const slow = new LiveJobRunner({
      jobId: 'slow',
      connect: async () => failed(new SourceUnavailableError('offline')),
      backoff: { baseMs: 60_000, capMs: 60_000 },
      maxBadAttempts: 3,
      logger: silentLogger(),
      onLive: () => {},
      onGiveUp: () => {},
    });
    slow.start();
    await waitUntil(() => slow.status.state === 'waiting');
    const before = slow.status.lastErrorAt;
    await new Promise((r) => setTimeout(r, 5));
    slow.wake();
    await waitUntil(() => slow.status.lastErrorAt !== before);
    await slow.stop();
    assert.equal(slow.status.state, 'stopped');
  });
});
