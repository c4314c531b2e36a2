import type { JpegEncoderPool } from './jpeg-encoder.js';
import { baseName, imageName } from './output-naming.js';
import type { PictureView } from './picture-view.js';
import { blit, createImage, fillRect, type RgbImage } from './rgb-image.js';
import { cellOrigin, cellsPerSheet, type Size, type SpriteLayout } from './snapshot-geometry.js';
import type { SnapshotType } from './template-config.js';
import { cueTimes, relativeUrl, renderWebVtt, type ThumbnailCue } from './webvtt.js';

/** Where outputs go: an object store bucket for jobs, a directory for the benchmark. */
export interface OutputSink {
  put(object: string, bytes: Buffer, contentType: string): Promise<void>;
}

export const JPEG_TYPE = 'image/jpeg';
export const VTT_TYPE = 'text/vtt; charset=utf-8';

/** Takes the pictures of a job in plan order (calls may overlap) and writes images. */
export interface PictureWriter {
  /** Picture `index` (0-based) of the plan. */
  accept(index: number, picture: PictureView): Promise<void>;
  /** Writes what is still pending (a partly filled sheet). */
  finish(): Promise<void>;
  /** The images written, in order. */
  readonly images: readonly string[];
}

/** Where thumbnail `index` is, for the WebVTT cues. */
export interface ThumbnailPlace {
  readonly object: string;
  readonly region?: { x: number; y: number; w: number; h: number };
}

export interface WriterOptions {
  readonly type: SnapshotType;
  /** The Output object (with `{Count}` / `{TileCount}`, or the `.vtt`). */
  readonly object: string;
  readonly sink: OutputSink;
  /** Encodes the JPEGs (owned by the caller, closed after the writers finish). */
  readonly jpeg: JpegEncoderPool;
  /** Called after each image is stored (progress). */
  readonly onImage?: (object: string) => void | Promise<void>;
}

/** One JPEG per picture: Normal snapshots, or WebVtt thumbnails without sprites. */
export class SinglesWriter implements PictureWriter {
  readonly #o: WriterOptions;
  readonly #size: Size;
  readonly #images: string[] = [];

  constructor(options: WriterOptions, size: Size) {
    this.#o = options;
    this.#size = size;
  }

  get images(): readonly string[] {
    return this.#images.filter((x) => x !== undefined);
  }

  place(index: number): ThumbnailPlace {
    return { object: imageName(this.#o.type, this.#o.object, index + 1) };
  }

  async accept(index: number, picture: PictureView): Promise<void> {
    const { width, height } = this.#size;
    const frame = picture.unturned();
    const jpeg = frame
      ? await this.#o.jpeg.encodeFrame(frame, width, height)
      : await this.#o.jpeg.encodeImage(await picture.upright(width, height));
    const object = this.place(index).object;
    await this.#o.sink.put(object, jpeg, JPEG_TYPE);
    this.#images[index] = object;
    await this.#o.onImage?.(object);
  }

  async finish(): Promise<void> {}
}

interface Sheet {
  image: RgbImage;
  filled: number;
  /** Cells this sheet will hold (fewer on the last sheet). */
  expected: number | undefined;
}

/** Pictures tiled into sprite sheets: Sprite jobs and WebVtt jobs with IsSptFrag. */
export class SpriteWriter implements PictureWriter {
  readonly #o: WriterOptions;
  readonly #layout: SpriteLayout;
  readonly #total: number | undefined;
  readonly #sheets = new Map<number, Sheet>();
  readonly #images: string[] = [];
  #highest = -1;

  /** `total`: pictures in the plan when known (the last sheet is written when it is full). */
  constructor(options: WriterOptions, layout: SpriteLayout, total: number | undefined) {
    this.#o = options;
    this.#layout = layout;
    this.#total = total;
  }

  get images(): readonly string[] {
    return this.#images.filter((x) => x !== undefined);
  }

  place(index: number): ThumbnailPlace {
    const per = cellsPerSheet(this.#layout);
    const { x, y } = cellOrigin(this.#layout, index % per);
    return {
      object: imageName(this.#o.type, this.#o.object, Math.floor(index / per) + 1),
      region: { x, y, w: this.#layout.cellWidth, h: this.#layout.cellHeight },
    };
  }

  async accept(index: number, picture: PictureView): Promise<void> {
    const l = this.#layout;
    const per = cellsPerSheet(l);
    const sheetIndex = Math.floor(index / per);
    const cell = await picture.upright(l.cellWidth, l.cellHeight);
    const sheet = this.#sheet(sheetIndex);
    const { x, y } = cellOrigin(l, index % per);
    blit(sheet.image, cell, x, y);
    sheet.filled++;
    this.#highest = Math.max(this.#highest, index);
    if (sheet.expected !== undefined && sheet.filled >= sheet.expected) {
      await this.#write(sheetIndex);
    }
  }

  async finish(): Promise<void> {
    for (const index of [...this.#sheets.keys()].sort((a, b) => a - b)) await this.#write(index);
  }

  #sheet(index: number): Sheet {
    let sheet = this.#sheets.get(index);
    if (!sheet) {
      const l = this.#layout;
      const per = cellsPerSheet(l);
      const image = createImage(l.sheetWidth, l.sheetHeight);
      fillRect(image, 0, 0, l.sheetWidth, l.sheetHeight, l.colour);
      const expected =
        this.#total === undefined ? undefined : Math.min(per, this.#total - index * per);
      sheet = { image, filled: 0, expected };
      this.#sheets.set(index, sheet);
    }
    return sheet;
  }

  async #write(index: number): Promise<void> {
    const sheet = this.#sheets.get(index);
    if (!sheet) return;
    this.#sheets.delete(index);
    const jpeg = await this.#o.jpeg.encodeImage(sheet.image);
    const object = imageName(this.#o.type, this.#o.object, index + 1);
    await this.#o.sink.put(object, jpeg, JPEG_TYPE);
    this.#images[index] = object;
    await this.#o.onImage?.(object);
  }
}

/** The WebVTT track of the thumbnails taken at `times`, as its object's bytes. */
export function webVttTrack(
  times: readonly number[],
  endMs: number,
  places: readonly ThumbnailPlace[],
): Buffer {
  const cues: ThumbnailCue[] = cueTimes(times, endMs).map(([startMs, end], i) => {
    const place = places[i]!;
    return {
      startMs,
      endMs: end,
      url: relativeUrl(baseName(place.object)),
      ...(place.region ? { region: place.region } : {}),
    };
  });
  return Buffer.from(renderWebVtt(cues), 'utf8');
}
