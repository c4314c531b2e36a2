/**
 * Clips for the snapshot-job tests whose every frame says which frame it is.
 *
 * Frame-code pattern: the picture is a grid of 4 columns × 3 rows of solid cells. Cell 0
 * (top-left) is always white: it marks the orientation and keeps the frame from being black.
 * Cell k (1…11, row-major) is white when bit k−1 of the frame number is set, mid-grey
 * otherwise. So frames 0…2047 are told apart after scaling down to a few pixels per cell, JPEG,
 * rotation and sprite tiling: `readFrameNumber(image, box)` reads it back.
 *
 * Options add what the job tests need: the first `blackFrames` frames fully black, a display
 * rotation (MP4/MOV display matrix), a sample aspect ratio (anamorphic pixels), B-frames, and
 * the container (MP4 has a keyframe index; FLV and MPEG-TS have none).
 *
 * Clips are cached under `.cache/test-media` by their parameters.
 */
import '../../src/util/polyfill.js';
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Decoder, Demuxer, Encoder, Muxer } from 'node-av/api';
import {
  AV_LOG_ERROR,
  AV_PKT_DATA_DISPLAYMATRIX,
  FF_ENCODER_LIBX264,
  FF_ENCODER_LIBX265,
} from 'node-av/constants';
import { Log, Rational } from 'node-av/lib';
import type { DecodedImage } from './jpeg.js';
import { defaultMediaDir, encodeFirstFrames } from './media.js';
import { memorySink } from './memory-sink.js';

export const GRID_COLUMNS = 4;
export const GRID_ROWS = 3;
const BITS = GRID_COLUMNS * GRID_ROWS - 1;
/** Luma of the cells (limited range): white = bit set, grey = bit clear, black = black frame. */
const Y_WHITE = 235;
const Y_GREY = 100;
const Y_BLACK = 16;
const PATTERN_VERSION = 1;

export interface CodedClipOptions {
  readonly codec?: 'h264' | 'hevc';
  readonly container?: 'mp4' | 'flv' | 'mpegts' | 'matroska' | 'mov';
  readonly width: number;
  readonly height: number;
  readonly fps?: number;
  readonly frames: number;
  /** Keyframe interval in frames (default fps). */
  readonly gop?: number;
  readonly bFrames?: boolean;
  /** Frames 0…blackFrames−1 are entirely black. */
  readonly blackFrames?: number;
  /** Frames in [from, to) are entirely black too (black frames in the middle). */
  readonly blackRange?: readonly [number, number];
  /** Clockwise display rotation written as a display matrix (mp4/mov only). */
  readonly rotation?: 0 | 90 | 180 | 270;
  /** Sample (pixel) aspect ratio, e.g. [2, 1]. */
  readonly sar?: readonly [number, number];
}

/** Generate (or reuse) a frame-coded clip; resolves to its path. */
export async function generateCodedClip(options: CodedClipOptions): Promise<string> {
  const o = {
    codec: 'h264' as const,
    container: 'mp4' as const,
    fps: 25,
    blackFrames: 0,
    bFrames: false,
    rotation: 0 as const,
    ...options,
    gop: options.gop ?? options.fps ?? 25,
  };
  if (o.frames > 1 << BITS) throw new Error(`at most ${1 << BITS} frames can be told apart`);
  const dir = defaultMediaDir();
  const key = createHash('sha256')
    .update(JSON.stringify({ PATTERN_VERSION, ...o }))
    .digest('hex')
    .slice(0, 10);
  const ext = { mp4: 'mp4', flv: 'flv', mpegts: 'ts', matroska: 'mkv', mov: 'mov' }[o.container];
  const path = join(dir, `coded-${o.codec}-${o.width}x${o.height}-${o.frames}f-${key}.${ext}`);
  if (await exists(path)) return path;
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, await encode(o));
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  return path;
}

/** The lavfi graph drawing the frame code (and black frames). */
function graph(o: Required<Omit<CodedClipOptions, 'sar' | 'blackRange'>> & CodedClipOptions) {
  const cell = `(floor(X*${GRID_COLUMNS}/W)+${GRID_COLUMNS}*floor(Y*${GRID_ROWS}/H))`;
  const bit = `if(eq(${cell},0),${Y_WHITE},if(bitand(N,pow(2,${cell}-1)),${Y_WHITE},${Y_GREY}))`;
  const range = o.blackRange ? `+between(N,${o.blackRange[0]},${o.blackRange[1] - 1})` : '';
  const lum = `if(lt(N,${o.blackFrames})${range},${Y_BLACK},${bit})`;
  const sar = o.sar ? `,setsar=${o.sar[0]}/${o.sar[1]}` : '';
  return (
    `nullsrc=size=${o.width}x${o.height}:rate=${o.fps},format=yuv420p,` +
    `geq=lum='${lum}':cb=128:cr=128${sar}`
  );
}

async function encode(
  o: Required<Omit<CodedClipOptions, 'sar' | 'blackRange'>> & CodedClipOptions,
): Promise<Buffer> {
  Log.setLevel(AV_LOG_ERROR);
  await using input = await Demuxer.open(graph(o), { format: 'lavfi' });
  const stream = input.video();
  if (!stream) throw new Error('lavfi source has no video stream');
  using decoder = await Decoder.create(stream);
  const gop = `keyint=${o.gop}:min-keyint=${o.gop}:scenecut=0:open-gop=0`;
  const context = { gopSize: o.gop, maxBFrames: o.bFrames ? 2 : 0, threadCount: 1, bitRate: 0 };
  using encoder =
    o.codec === 'h264'
      ? await Encoder.create(FF_ENCODER_LIBX264, {
          context,
          options: { preset: 'ultrafast', crf: 18, 'x264-params': gop },
        })
      : await Encoder.create(FF_ENCODER_LIBX265, {
          context,
          options: {
            preset: 'ultrafast',
            crf: 20,
            'x265-params': `${gop}:bframes=${o.bFrames ? 2 : 0}:info=0:log-level=error`,
          },
        });
  const sink = memorySink();
  await using output = await Muxer.open(sink, {
    format: o.container,
    configure: (fmt) => {
      const st = fmt.streams[0]!;
      if (o.sar) {
        st.sampleAspectRatio = new Rational(o.sar[0], o.sar[1]);
        st.codecpar.sampleAspectRatio = new Rational(o.sar[0], o.sar[1]);
      }
      if (o.rotation) {
        st.codecpar.addCodedSideData(AV_PKT_DATA_DISPLAYMATRIX, displayMatrix(o.rotation));
      }
    },
  });
  await encodeFirstFrames(input, stream.index, decoder, encoder, output, o.frames);
  return Buffer.from(sink.contents());
}

/** av_display_rotation_set(): a pure clockwise rotation by `degrees`, 16.16 / 2.30 fixed. */
export function displayMatrix(degrees: number): Buffer {
  const rad = (-degrees * Math.PI) / 180;
  const fp = (x: number) => Math.round(x * (1 << 16));
  const m = [fp(Math.cos(rad)), fp(-Math.sin(rad)), 0, fp(Math.sin(rad)), fp(Math.cos(rad)), 0];
  const buf = Buffer.alloc(36);
  m.forEach((v, i) => buf.writeInt32LE(v, i * 4));
  buf.writeInt32LE(1 << 30, 32);
  return buf;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

export interface Region {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * The frame number shown in `box` of `image` (the whole image by default), or undefined when
 * the box does not hold the pattern (black, or the marker cell is not white). Each cell is
 * sampled in its middle half.
 */
export function readFrameNumber(image: DecodedImage, box?: Region): number | undefined {
  const b = box ?? { x: 0, y: 0, w: image.width, h: image.height };
  const cw = b.w / GRID_COLUMNS;
  const ch = b.h / GRID_ROWS;
  const luma = (k: number): number => {
    const col = k % GRID_COLUMNS;
    const row = Math.floor(k / GRID_COLUMNS);
    const x = Math.floor(b.x + col * cw + cw / 4);
    const y = Math.floor(b.y + row * ch + ch / 4);
    const [r, g, bl] = image.meanRgb(
      x,
      y,
      Math.max(1, Math.floor(cw / 2)),
      Math.max(1, Math.floor(ch / 2)),
    );
    return 0.299 * r + 0.587 * g + 0.114 * bl;
  };
  if (luma(0) < 200) return undefined;
  let n = 0;
  for (let k = 1; k <= BITS; k++) if (luma(k) > 170) n |= 1 << (k - 1);
  return n;
}

/** Whether `box` of `image` is (nearly) black. */
export function isBlack(image: DecodedImage, box?: Region): boolean {
  const b = box ?? { x: 0, y: 0, w: image.width, h: image.height };
  const [r, g, bl] = image.meanRgb(b.x, b.y, b.w, b.h);
  return r < 20 && g < 20 && bl < 20;
}
