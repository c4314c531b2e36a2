import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellOrigin, snapshotSize, spriteLayout } from './snapshot-geometry.js';
import type { SpriteSettings } from './snapshot-settings.js';

const sprite = (s: Partial<SpriteSettings> = {}): SpriteSettings => ({
  cellWidth: undefined,
  cellHeight: undefined,
  padding: 0,
  margin: 0,
  columns: undefined,
  lines: undefined,
  colour: [0, 0, 0],
  ...s,
});

describe('snapshot geometry', () => {
  it('keeps the aspect ratio when one of Width / Height is given', () => {
    const display = { width: 1920, height: 1080 };
    assert.deepEqual(snapshotSize(display, 640, undefined), { width: 640, height: 360 });
    assert.deepEqual(snapshotSize(display, undefined, 270), { width: 480, height: 270 });
    assert.deepEqual(snapshotSize(display, 100, 100), { width: 100, height: 100 });
    assert.deepEqual(snapshotSize(display, undefined, undefined), display);
  });

  it('lays out sheets from cells, padding, margin, columns and lines', () => {
    const l = spriteLayout(
      sprite({ cellWidth: 160, padding: 4, margin: 8, columns: 5, lines: 2 }),
      { width: 1920, height: 1080 },
      undefined,
    );
    assert.deepEqual([l.cellWidth, l.cellHeight], [160, 90]);
    assert.deepEqual([l.sheetWidth, l.sheetHeight], [16 + 5 * 160 + 4 * 4, 16 + 2 * 90 + 4]);
    assert.deepEqual(cellOrigin(l, 7), { x: 8 + 2 * 164, y: 8 + 94 });
  });

  it('keeps default sheets within 4096 px and no larger than the pictures need', () => {
    const big = spriteLayout(sprite(), { width: 1920, height: 1080 }, undefined);
    assert.deepEqual([big.columns, big.lines], [2, 3]);
    assert.ok(big.sheetWidth <= 4096 && big.sheetHeight <= 4096);
    const few = spriteLayout(sprite({ cellWidth: 100 }), { width: 1600, height: 900 }, 13);
    assert.deepEqual([few.columns, few.lines], [10, 2]);
    const asked = spriteLayout(sprite({ columns: 30 }), { width: 320, height: 180 }, undefined);
    assert.equal(asked.sheetWidth, 9600, 'explicit Columns win over the limit');
    const huge = spriteLayout(sprite(), { width: 7680, height: 4320 }, 4);
    assert.ok(huge.sheetWidth <= 4096 && huge.cellWidth < 7680);
  });
});
