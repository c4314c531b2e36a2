/**
 * SignatureNonce replay protection (spec §1.5 step 7). A nonce is kept until no request
 * carrying it could pass the timestamp check any more: `max(now, timestamp) + window`, so
 * at least `window` (15 minutes) after it was seen. Memory is bounded by `maxEntries`;
 * when full even after dropping expired entries, `record` refuses (the caller answers
 * ServiceUnavailable) rather than forgetting a nonce early, which would allow a replay.
 */
export class NonceStore {
  private readonly entries = new Map<string, number>();
  private lastSweep = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 200_000,
    private readonly sweepEveryMs = 60_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(accessKeyId: string, nonce: string, now: number): boolean {
    const expires = this.entries.get(key(accessKeyId, nonce));
    return expires !== undefined && expires > now;
  }

  /** Records a nonce; false when the store is full of live entries. */
  record(accessKeyId: string, nonce: string, requestTime: number, now: number): boolean {
    if (now - this.lastSweep >= this.sweepEveryMs || this.entries.size >= this.maxEntries) {
      this.sweep(now);
    }
    if (this.entries.size >= this.maxEntries) return false;
    this.entries.set(key(accessKeyId, nonce), Math.max(now, requestTime) + this.windowMs);
    return true;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [k, expires] of this.entries) if (expires <= now) this.entries.delete(k);
  }
}

function key(accessKeyId: string, nonce: string): string {
  return `${accessKeyId}\n${nonce}`;
}
