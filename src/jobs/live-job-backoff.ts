/**
 * Capped exponential backoff, pure: the delay before retry number `attempt` (1, 2, 3…) is
 * `baseMs · 2^(attempt−1)`, at most `capMs`, scaled by a jitter factor in [1 − jitter, 1] so
 * that jobs failing together do not retry in lockstep.
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  /** 0–1; default 0.2. */
  readonly jitter?: number;
}

const DEFAULT_JITTER = 0.2;
/** 2^30: beyond this the cap has long been reached. */
const MAX_EXPONENT = 30;

export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), MAX_EXPONENT);
  const raw = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? DEFAULT_JITTER));
  return Math.max(0, Math.round(raw * (1 - jitter * random())));
}
