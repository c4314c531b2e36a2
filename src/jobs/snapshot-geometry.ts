import type { Rgb } from './rgb-image.js';
import type { SpriteSettings } from './snapshot-settings.js';

/**
 * Sizes of snapshot outputs (pure): the snapshot size from Width/Height and the video's
 * display size, and the layout of sprite sheets.
 */

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** No sheet is wider or taller than this unless Columns / Lines / cell sizes ask for it. */
export const MAX_SHEET_SIDE = 4096;
/** Defaults of the sprite grid. */
export const DEFAULT_COLUMNS = 10;
export const DEFAULT_LINES = 10;
/** Largest picture livesnap builds (a sheet or a snapshot), in pixels. */
export const MAX_PICTURE_PIXELS = 64 * 1024 * 1024;

/**
 * Width × Height of a snapshot: both given → as given; one given → the other from the
 * display aspect ratio; neither → the display size (rotation and pixel aspect applied).
 */
export function snapshotSize(
  display: Size,
  width: number | undefined,
  height: number | undefined,
): Size {
  if (width && height) return { width, height };
  if (width)
    return { width, height: Math.max(1, Math.round((width * display.height) / display.width)) };
  if (height) {
    return { width: Math.max(1, Math.round((height * display.width) / display.height)), height };
  }
  return display;
}

export interface SpriteLayout {
  readonly cellWidth: number;
  readonly cellHeight: number;
  readonly padding: number;
  readonly margin: number;
  readonly columns: number;
  readonly lines: number;
  readonly sheetWidth: number;
  readonly sheetHeight: number;
  readonly colour: Rgb;
}

/** Cells per sheet. */
export function cellsPerSheet(l: SpriteLayout): number {
  return l.columns * l.lines;
}

/** Top-left corner of cell `index` (0-based within its sheet). */
export function cellOrigin(l: SpriteLayout, index: number): { x: number; y: number } {
  const col = index % l.columns;
  const row = Math.floor(index / l.columns);
  return {
    x: l.margin + col * (l.cellWidth + l.padding),
    y: l.margin + row * (l.cellHeight + l.padding),
  };
}

function sheetSide(cells: number, cell: number, padding: number, margin: number): number {
  return 2 * margin + cells * cell + (cells - 1) * padding;
}

/** How many cells fit in `MAX_SHEET_SIDE` (at least one). */
function fitting(cell: number, padding: number, margin: number): number {
  return Math.max(1, Math.floor((MAX_SHEET_SIDE - 2 * margin + padding) / (cell + padding)));
}

/**
 * The sprite grid. Cells default to the snapshot size (one of CellWidth / CellHeight alone
 * keeps the snapshot's aspect ratio); Columns and Lines default to 10, reduced so that a
 * sheet stays within 4096 px, and to what `frames` needs when it is known. A default
 * cell larger than that limit is scaled down to fit.
 */
export function spriteLayout(
  sprite: SpriteSettings,
  snapshot: Size,
  frames: number | undefined,
): SpriteLayout {
  const { padding, margin } = sprite;
  let cellWidth = sprite.cellWidth;
  let cellHeight = sprite.cellHeight;
  if (cellWidth && !cellHeight) {
    cellHeight = Math.max(1, Math.round((cellWidth * snapshot.height) / snapshot.width));
  } else if (cellHeight && !cellWidth) {
    cellWidth = Math.max(1, Math.round((cellHeight * snapshot.width) / snapshot.height));
  } else if (!cellWidth || !cellHeight) {
    cellWidth = snapshot.width;
    cellHeight = snapshot.height;
    const room = MAX_SHEET_SIDE - 2 * margin;
    const scale = Math.min(1, room / cellWidth, room / cellHeight);
    if (scale < 1 && room > 0) {
      cellWidth = Math.max(1, Math.floor(cellWidth * scale));
      cellHeight = Math.max(1, Math.floor(cellHeight * scale));
    }
  }
  let columns = sprite.columns ?? Math.min(DEFAULT_COLUMNS, fitting(cellWidth, padding, margin));
  if (sprite.columns === undefined && frames !== undefined && frames > 0) {
    columns = Math.min(columns, frames);
  }
  let lines = sprite.lines ?? Math.min(DEFAULT_LINES, fitting(cellHeight, padding, margin));
  if (sprite.lines === undefined && frames !== undefined && frames > 0) {
    lines = Math.max(1, Math.min(lines, Math.ceil(frames / columns)));
  }
  return {
    cellWidth,
    cellHeight,
    padding,
    margin,
    columns,
    lines,
    sheetWidth: sheetSide(columns, cellWidth, padding, margin),
    sheetHeight: sheetSide(lines, cellHeight, padding, margin),
    colour: sprite.colour,
  };
}
