/**
 * Packed RGB24 pictures (row after row, no padding) and the few operations snapshot jobs
 * need on them: quarter-turn rotation, mirroring, tiling into a sprite sheet, background
 * fill and the black-frame measure. Pure, no FFmpeg.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 3 bytes. */
  readonly data: Buffer;
}

export type Rgb = readonly [number, number, number];

const BYTES_PER_PIXEL = 3;

export function createImage(width: number, height: number, fill: Rgb = [0, 0, 0]): RgbImage {
  const data = Buffer.alloc(width * height * BYTES_PER_PIXEL);
  const image = { width, height, data };
  if (fill[0] !== 0 || fill[1] !== 0 || fill[2] !== 0) fillRect(image, 0, 0, width, height, fill);
  return image;
}

export function fillRect(
  image: RgbImage,
  x: number,
  y: number,
  w: number,
  h: number,
  rgb: Rgb,
): void {
  const row = Buffer.alloc(w * BYTES_PER_PIXEL);
  for (let i = 0; i < w; i++) row.set(rgb, i * BYTES_PER_PIXEL);
  for (let j = y; j < y + h; j++) row.copy(image.data, (j * image.width + x) * BYTES_PER_PIXEL);
}

/** Copies `src` into `dst` with its top-left corner at (x, y); clipped to `dst`. */
export function blit(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  const w = Math.min(src.width, dst.width - x);
  const h = Math.min(src.height, dst.height - y);
  if (w <= 0 || h <= 0) return;
  for (let j = 0; j < h; j++) {
    const from = j * src.width * BYTES_PER_PIXEL;
    src.data.copy(
      dst.data,
      ((y + j) * dst.width + x) * BYTES_PER_PIXEL,
      from,
      from + w * BYTES_PER_PIXEL,
    );
  }
}

/** The picture turned clockwise by 0, 90, 180 or 270 degrees. */
export function rotateClockwise(image: RgbImage, degrees: 0 | 90 | 180 | 270): RgbImage {
  if (degrees === 0) return image;
  const { width: w, height: h, data } = image;
  const quarter = degrees !== 180;
  const ow = quarter ? h : w;
  const oh = quarter ? w : h;
  const out = Buffer.alloc(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let ox: number;
      let oy: number;
      if (degrees === 90) {
        ox = h - 1 - y;
        oy = x;
      } else if (degrees === 180) {
        ox = w - 1 - x;
        oy = h - 1 - y;
      } else {
        ox = y;
        oy = w - 1 - x;
      }
      const s = (y * w + x) * BYTES_PER_PIXEL;
      const d = (oy * ow + ox) * BYTES_PER_PIXEL;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  }
  return { width: ow, height: oh, data: out };
}

/** The picture mirrored left to right. */
export function mirror(image: RgbImage): RgbImage {
  const { width: w, height: h, data } = image;
  const out = Buffer.alloc(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * BYTES_PER_PIXEL;
      const d = (y * w + (w - 1 - x)) * BYTES_PER_PIXEL;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * The share of black pixels, in percent (0–100). A pixel is black when its luma
 * (BT.601, 0–255 full range) is below `pixelBlackThreshold`.
 */
export function blackPercent(image: RgbImage, pixelBlackThreshold: number): number {
  const { data } = image;
  const pixels = image.width * image.height;
  if (pixels === 0) return 100;
  // Integer luma: (77 R + 150 G + 29 B) / 256 ≈ 0.299 R + 0.587 G + 0.114 B.
  const limit = pixelBlackThreshold * 256;
  let black = 0;
  for (let i = 0; i < data.length; i += BYTES_PER_PIXEL) {
    if (77 * data[i]! + 150 * data[i + 1]! + 29 * data[i + 2]! < limit) black++;
  }
  return (black * 100) / pixels;
}

const NAMED_COLOURS: Readonly<Record<string, Rgb>> = {
  black: [0, 0, 0],
  white: [255, 255, 255],
  gray: [128, 128, 128],
  grey: [128, 128, 128],
  red: [255, 0, 0],
  green: [0, 128, 0],
  blue: [0, 0, 255],
};

/** `#RRGGBB`, `0xRRGGBB`, `#RGB` or a basic colour name; undefined when not a colour. */
export function parseColour(text: string): Rgb | undefined {
  const named = NAMED_COLOURS[text.toLowerCase()];
  if (named) return named;
  const hex = /^(?:#|0x)([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(text)?.[1];
  if (!hex) return undefined;
  const full =
    hex.length === 3
      ? hex
          .split('')
          .map((c) => c + c)
          .join('')
      : hex;
  const n = parseInt(full, 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}
