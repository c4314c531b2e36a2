import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayTransform } from './display-matrix.js';

/** av_display_rotation_set(): clockwise `degrees`, optionally mirrored (av_display_matrix_flip). */
function matrix(degrees: number, hflip = false): Buffer {
  const rad = (-degrees * Math.PI) / 180;
  const fp = (x: number) => Math.round(x * 65536);
  const m = [
    fp(Math.cos(rad)),
    fp(-Math.sin(rad)),
    0,
    fp(Math.sin(rad)),
    fp(Math.cos(rad)),
    0,
    0,
    0,
    1 << 30,
  ];
  if (hflip) for (const i of [0, 3, 6]) m[i] = -m[i]!;
  const buf = Buffer.alloc(36);
  m.forEach((v, i) => buf.writeInt32LE(v, i * 4));
  return buf;
}

describe('displayTransform', () => {
  it('reads quarter turns', () => {
    for (const deg of [0, 90, 180, 270]) {
      assert.deepEqual(displayTransform(matrix(deg)), { rotation: deg, mirror: false });
    }
    assert.deepEqual(displayTransform(matrix(-90)), { rotation: 270, mirror: false });
    assert.deepEqual(displayTransform(matrix(89)), { rotation: 90, mirror: false });
  });

  it('reads mirroring and tolerates missing or broken matrices', () => {
    assert.deepEqual(displayTransform(matrix(0, true)), { rotation: 0, mirror: true });
    assert.deepEqual(displayTransform(null), { rotation: 0, mirror: false });
    assert.deepEqual(displayTransform(Buffer.alloc(36)), { rotation: 0, mirror: false });
    assert.deepEqual(displayTransform(Buffer.alloc(8)), { rotation: 0, mirror: false });
  });
});
