import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonceStore } from './nonce-store.js';
import { RateLimiter } from './rate-limiter.js';

const MIN = 60_000;

describe('NonceStore', () => {
  it('remembers a nonce per key for at least the window', () => {
    const s = new NonceStore(15 * MIN);
    assert.equal(s.record('ak', 'n1', 0, 0), true);
    assert.equal(s.has('ak', 'n1', 15 * MIN - 1), true);
    assert.equal(s.has('other', 'n1', 0), false);
    assert.equal(s.has('ak', 'n1', 15 * MIN), false);
  });

  it('keeps a future-dated nonce until its timestamp leaves the window', () => {
    const s = new NonceStore(15 * MIN);
    s.record('ak', 'n', 10 * MIN, 0);
    assert.equal(s.has('ak', 'n', 24 * MIN), true);
    assert.equal(s.has('ak', 'n', 25 * MIN), false);
  });

  it('is bounded: sweeps expired entries and refuses when full of live ones', () => {
    const s = new NonceStore(15 * MIN, 3);
    for (const n of ['a', 'b', 'c']) assert.equal(s.record('ak', n, 0, 0), true);
    assert.equal(s.record('ak', 'd', 0, 1000), false);
    assert.equal(s.size, 3);
    assert.equal(s.record('ak', 'd', 16 * MIN, 16 * MIN), true);
    assert.equal(s.size, 1);
  });
});

describe('RateLimiter', () => {
  it('allows qps per second per account and group, refilling over time', () => {
    const r = new RateLimiter();
    assert.equal(r.take('a', 'g', 2, 0), true);
    assert.equal(r.take('a', 'g', 2, 0), true);
    assert.equal(r.take('a', 'g', 2, 0), false);
    assert.equal(r.take('b', 'g', 2, 0), true);
    assert.equal(r.take('a', 'h', 2, 0), true);
    assert.equal(r.take('a', 'g', 2, 499), false);
    assert.equal(r.take('a', 'g', 2, 500), true);
    assert.equal(r.take('a', 'g', 0, 500), true);
  });
});
