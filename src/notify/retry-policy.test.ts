import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backoffDelay,
  backoffStep,
  decideRetry,
  isRetryableStatus,
  parseRetryAfter,
  retryWindow,
  type RetryPolicy,
} from './retry-policy.js';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5000 };
const NOW = Date.UTC(2026, 0, 1);

test('2xx is delivered', () => {
  for (const status of [200, 201, 202, 204, 299]) {
    assert.deepEqual(decideRetry({ kind: 'response', status }, 1, policy, NOW, 0), {
      action: 'delivered',
    });
  }
});

test('408, 429, 5xx, timeouts and network errors are retried', () => {
  for (const status of [408, 429, 500, 502, 503, 504, 599]) {
    assert.equal(isRetryableStatus(status), true, String(status));
    const d = decideRetry({ kind: 'response', status }, 1, policy, NOW, 0);
    assert.equal(d.action, 'retry', String(status));
  }
  const timeout = decideRetry(
    { kind: 'timeout', message: 'no answer in 5000 ms' },
    2,
    policy,
    NOW,
    0,
  );
  assert.deepEqual(timeout, {
    action: 'retry',
    delayMs: 1000,
    reason: 'timeout: no answer in 5000 ms',
  });
  const refused = decideRetry({ kind: 'network', message: 'ECONNREFUSED' }, 1, policy, NOW, 0.5);
  assert.equal(refused.action, 'retry');
});

test('other 4xx and 3xx are dead at once, with the reason', () => {
  for (const status of [400, 401, 403, 404, 410, 413, 422]) {
    assert.equal(isRetryableStatus(status), false);
    const d = decideRetry({ kind: 'response', status }, 1, policy, NOW, 0);
    assert.deepEqual(d, { action: 'dead', reason: `HTTP ${status}: not retried` });
  }
  assert.deepEqual(decideRetry({ kind: 'invalid', message: 'bad URL' }, 1, policy, NOW, 0), {
    action: 'dead',
    reason: 'invalid: bad URL',
  });
  for (const status of [301, 302, 307, 308]) {
    const d = decideRetry({ kind: 'response', status }, 1, policy, NOW, 0);
    assert.equal(d.action, 'dead');
    assert.match(d.action === 'dead' ? d.reason : '', /redirects are not followed/);
  }
});

test('the retry budget ends in a dead letter', () => {
  const net = { kind: 'network', message: 'ECONNRESET' } as const;
  assert.equal(decideRetry(net, 4, policy, NOW, 0).action, 'retry');
  assert.deepEqual(decideRetry(net, 5, policy, NOW, 0), {
    action: 'dead',
    reason: 'network: ECONNRESET: gave up after 5 attempts',
  });
  const busy = decideRetry({ kind: 'response', status: 503 }, 9, policy, NOW, 0);
  assert.match(busy.action === 'dead' ? busy.reason : '', /HTTP 503: gave up after 9 attempts/);
});

test('backoff doubles up to the cap, with equal jitter', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 60, 5000].map((a) => backoffStep(a, policy)),
    [1000, 2000, 4000, 5000, 5000, 5000, 5000],
  );
  assert.equal(backoffDelay(3, policy, 0), 2000);
  assert.equal(backoffDelay(3, policy, 0.999999), 4000);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(2, policy, Math.random());
    assert.ok(d >= 1000 && d <= 2000, String(d));
  }
});

test('Retry-After lengthens the delay within the cap', () => {
  const delay = (retryAfter: string): number => {
    const d = decideRetry({ kind: 'response', status: 429, retryAfter }, 1, policy, NOW, 0);
    assert.equal(d.action, 'retry');
    return d.action === 'retry' ? d.delayMs : -1;
  };
  assert.equal(delay('3'), 3000);
  assert.equal(delay('3600'), 5000);
  assert.equal(delay('0'), 500);
  assert.equal(delay(new Date(NOW + 4000).toUTCString()), 4000);
  assert.equal(delay('soon'), 500);
});

test('parseRetryAfter reads seconds and HTTP dates only', () => {
  assert.equal(parseRetryAfter(undefined, NOW), undefined);
  assert.equal(parseRetryAfter(' 120 ', NOW), 120_000);
  assert.equal(parseRetryAfter('-1', NOW), undefined);
  assert.equal(parseRetryAfter('1.5', NOW), undefined);
  assert.equal(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW), 0);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW), 0);
  assert.equal(parseRetryAfter('garbage', NOW), undefined);
});

test('the default budget spans about an hour', () => {
  const { minMs, maxMs } = retryWindow({
    maxAttempts: 15,
    baseDelayMs: 1000,
    maxDelayMs: 900_000,
  });
  assert.equal(maxMs, 4_623_000); // 1+2+…+512 s, then 4 × 15 min
  assert.equal(minMs, 2_311_500);
});
