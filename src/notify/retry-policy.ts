/**
 * When to retry a callback, and after how long. Pure: no I/O, no clock, no randomness of
 * its own (the caller passes `random`), so every rule is unit-tested.
 *
 * - 2xx: delivered.
 * - 408, 429 and 5xx, timeouts and network errors (refused, reset, DNS, TLS): retried with
 *   capped exponential backoff and "equal jitter" (half the step fixed, half random), so
 *   retries to a receiver that came back do not arrive in lock-step. `Retry-After` (seconds
 *   or an HTTP date) lengthens the delay, never beyond the cap.
 * - 3xx: dead at once. Redirects are never followed (a redirect loop or a redirect to an
 *   internal address must not cost anything); the operator fixes the URL and redelivers.
 * - any other status (4xx, 1xx): dead at once: the receiver refused this callback and will
 *   refuse it again. So is a URL that cannot be sent to at all (`invalid`).
 * - after `maxAttempts` attempts: dead.
 */

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  /** Delay step before the first retry (ms); doubled for each further one. */
  readonly baseDelayMs: number;
  /** Longest delay (ms). */
  readonly maxDelayMs: number;
}

/** What one attempt produced. */
export type AttemptResult =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: 'timeout'; readonly message: string }
  | { readonly kind: 'network'; readonly message: string }
  /** The request cannot be made (unusable URL): retrying cannot help. */
  | { readonly kind: 'invalid'; readonly message: string };

export type RetryDecision =
  | { readonly action: 'delivered' }
  | { readonly action: 'retry'; readonly delayMs: number; readonly reason: string }
  | { readonly action: 'dead'; readonly reason: string };

export const HttpStatus = {
  RequestTimeout: 408,
  TooManyRequests: 429,
} as const;

/** Statuses a receiver uses to say "later": 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return (
    status === HttpStatus.RequestTimeout ||
    status === HttpStatus.TooManyRequests ||
    (status >= 500 && status <= 599)
  );
}

/** The backoff step before attempt `attempt + 1` (ms, no jitter): base·2^(attempt−1), capped. */
export function backoffStep(attempt: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  // 2^exponent overflows to Infinity for huge attempts, and Math.min handles that.
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/** Equal jitter: step/2 + random·step/2, in [step/2, step]. `random` is in [0, 1). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: number): number {
  const step = backoffStep(attempt, policy);
  return Math.round(step / 2 + random * (step / 2));
}

/**
 * A `Retry-After` header as a delay in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** A short description of a result, as stored in last_error and shown to operators. */
export function describeResult(result: AttemptResult): string {
  if (result.kind === 'response') return `HTTP ${result.status}`;
  return `${result.kind}: ${result.message}`;
}

/**
 * What to do after attempt number `attempts` (1 = the first) ended with `result`.
 * `random` in [0, 1) feeds the jitter.
 */
export function decideRetry(
  result: AttemptResult,
  attempts: number,
  policy: RetryPolicy,
  nowMs: number,
  random: number,
): RetryDecision {
  const reason = describeResult(result);
  if (result.kind === 'invalid') return { action: 'dead', reason };
  if (result.kind === 'response') {
    const { status } = result;
    if (status >= 200 && status <= 299) return { action: 'delivered' };
    if (status >= 300 && status <= 399) {
      return { action: 'dead', reason: `${reason}: redirects are not followed` };
    }
    if (!isRetryableStatus(status)) return { action: 'dead', reason: `${reason}: not retried` };
  }
  if (attempts >= policy.maxAttempts) {
    return { action: 'dead', reason: `${reason}: gave up after ${attempts} attempts` };
  }
  let delayMs = backoffDelay(attempts, policy, random);
  if (result.kind === 'response') {
    const asked = parseRetryAfter(result.retryAfter, nowMs);
    if (asked !== undefined) delayMs = Math.min(policy.maxDelayMs, Math.max(delayMs, asked));
  }
  return { action: 'retry', delayMs, reason };
}

/** Longest and shortest total wait from the first attempt to the last (ms): for docs and tests. */
export function retryWindow(policy: RetryPolicy): { minMs: number; maxMs: number } {
  let maxMs = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
    maxMs += backoffStep(attempt, policy);
  }
  return { minMs: maxMs / 2, maxMs };
}
