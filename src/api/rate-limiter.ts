interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets per (account, group): `qps` tokens per second, burst of `qps` (one second
 * of traffic). Buckets are created on first use; only authenticated accounts reach this,
 * so their number is bounded by the access keys that exist times the groups.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one token; false when the bucket is empty (the caller answers Throttling). */
  take(account: string, group: string, qps: number, now: number): boolean {
    if (!(qps > 0) || !Number.isFinite(qps)) return true;
    const k = `${account}\n${group}`;
    let b = this.buckets.get(k);
    if (!b) {
      b = { tokens: qps, updatedAt: now };
      this.buckets.set(k, b);
    }
    const elapsed = Math.max(0, now - b.updatedAt) / 1000;
    b.tokens = Math.min(qps, b.tokens + elapsed * qps);
    b.updatedAt = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
