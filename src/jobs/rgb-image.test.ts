import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blackPercent,
  blit,
  createImage,
  mirror,
  parseColour,
  rotateClockwise,
  type RgbImage,
} from './rgb-image.js';

/** A 3×2 image whose pixel (x, y) has red = 10·x + y. */
function sample(): RgbImage {
  const img = createImage(3, 2);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) img.data[(y * 3 + x) * 3] = 10 * x + y;
  return img;
}
const red = (img: RgbImage, x: number, y: number) => img.data[(y * img.width + x) * 3];

describe('RGB images', () => {
  it('turns clockwise and mirrors', () => {
    const r90 = rotateClockwise(sample(), 90);
    assert.deepEqual([r90.width, r90.height], [2, 3]);
    assert.equal(red(r90, 1, 0), 0, 'top-left moves to top-right');
    assert.equal(red(r90, 0, 0), 1, 'bottom-left moves to top-left');
    const r180 = rotateClockwise(sample(), 180);
    assert.equal(red(r180, 0, 0), 21);
    const r270 = rotateClockwise(sample(), 270);
    assert.equal(red(r270, 0, 2), 0, 'top-left moves to bottom-left');
    assert.equal(red(mirror(sample()), 0, 0), 20);
  });

  it('tiles, fills and measures black', () => {
    const sheet = createImage(4, 4, [255, 255, 255]);
    blit(sheet, createImage(2, 2), 3, 3); // clipped to one pixel
    assert.equal(blackPercent(sheet, 30), 100 / 16);
    assert.equal(blackPercent(createImage(2, 2, [20, 20, 20]), 30), 100);
    assert.deepEqual(parseColour('#0a0B0c'), [10, 11, 12]);
    assert.deepEqual(parseColour('0xFF0000'), [255, 0, 0]);
    assert.deepEqual(parseColour('#fff'), [255, 255, 255]);
    assert.equal(parseColour('nope'), undefined);
  });
});
