import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimestampExtender } from './timestamp-extender.js';

describe('timestamp extender', () => {
  it('passes plain timestamps through, including small steps back (B-frames)', () => {
    const t = new TimestampExtender();
    assert.deepEqual(
      [0, 40, 80, 60, 120].map((v) => t.extend(v)),
      [0, 40, 80, 60, 120],
    );
  });

  it('extends across the 32-bit wrap and keeps late values before it', () => {
    const t = new TimestampExtender();
    const max = 0xffffffff;
    const got = [max - 50, max - 10, 30, max - 20, 70, 2 ** 31 - 100, max - 100, 50].map((v) =>
      t.extend(v),
    );
    assert.deepEqual(got, [
      max - 50,
      max - 10,
      2 ** 32 + 30,
      max - 20,
      2 ** 32 + 70,
      2 ** 32 + 2 ** 31 - 100,
      2 ** 32 + max - 100,
      2 ** 33 + 50,
    ]);
  });

  it('a jump back by less than half the range is a reset, not a wrap', () => {
    const t = new TimestampExtender();
    assert.deepEqual(
      [100_000, 5].map((v) => t.extend(v)),
      [100_000, 5],
    );
  });
});
