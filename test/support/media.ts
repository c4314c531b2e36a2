/**
 * Test media generator: encodes a synthetic clip with node-av (FFmpeg 8 libraries,
 * in-process) and caches it by its parameters, so repeated calls are cheap.
 *
 * Test pattern (every frame): FFmpeg's moving `testsrc2` picture with four solid boxes,
 * each a quarter of the width and a quarter of the height, in the corners:
 *
 *   top-left     (0, 0)          → `markColor` (default pure red   #FF0000)
 *   top-right    (3w/4, 0)       → pure green #00FF00
 *   bottom-left  (0, 3h/4)       → pure blue  #0000FF
 *   bottom-right (3w/4, 3h/4)    → white      #FFFFFF
 *
 * Sample colours well inside a box (its centre: `centre(patternRegions(w, h).topRight)`).
 * After YUV 4:2:0 and a good JPEG every channel is within ±10 of nominal (`closeTo` in
 * jpeg.ts); a limited/full-range mistake (white → 235, green → 12,236,12) fails that.
 *
 * Side effect: generating a clip sets FFmpeg's global log level to AV_LOG_ERROR (x264/x265
 * print statistics at info level).
 *
 * GOP: a keyframe (IDR) exactly every `gop` frames, starting at frame 0 (scene-cut
 * detection off, closed GOPs). With `bFrames`, up to 2 B-frames between references.
 */
import '../../src/util/polyfill.js';
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Decoder, Demuxer, Encoder, Muxer } from 'node-av/api';
import {
  AV_LOG_ERROR,
  FF_ENCODER_LIBSVTAV1,
  FF_ENCODER_LIBX264,
  FF_ENCODER_LIBX265,
} from 'node-av/constants';
import { Log, type Packet } from 'node-av/lib';
import { memorySink } from './memory-sink.js';

export type ClipCodec = 'h264' | 'hevc' | 'av1';

/** Bump when the pattern or encoder settings change, so cached clips are regenerated. */
const PATTERN_VERSION = 1;

export interface ClipOptions {
  /** Directory the clip is written to (and cached in); default `defaultMediaDir()`. */
  readonly dir?: string;
  /** Container, chosen by extension: FLV (H.264 legacy, HEVC/AV1 Enhanced RTMP) or MP4. */
  readonly container?: 'flv' | 'mp4';
  /** h264 = libx264, hevc = libx265, av1 = libsvtav1 (FLV av01 / MP4 only). */
  readonly codec: ClipCodec;
  readonly width: number;
  readonly height: number;
  /** Frames per second (integer); default 25. */
  readonly fps?: number;
  /** Number of frames; default `duration * fps`, or 2 s worth. */
  readonly frames?: number;
  /** Duration in seconds, when `frames` is not given. */
  readonly duration?: number;
  /** Keyframe interval in frames; default `fps` (one per second). */
  readonly gop?: number;
  /** Allow B-frames (h264/hevc); default false. */
  readonly bFrames?: boolean;
  /** Colour of the top-left box, as an FFmpeg colour (e.g. 'red', '0x336699'); default red. */
  readonly markColor?: string;
  /** Pixel format fed to the encoder; default 'yuv420p' ('yuv420p10le' → High 10 / Main 10). */
  readonly pixelFormat?: string;
  /** Target bitrate (e.g. '4M'); default constant quality (CRF). */
  readonly bitrate?: string;
  /** Encoder profile (e.g. 'baseline', 'main', 'high' for x264; 'main10' for x265). */
  readonly profile?: string;
  /** Extra encoder parameters appended to x264-params / x265-params / svtav1-params. */
  readonly extraParams?: string;
}

/** Where clips go unless a dir is given: `<repo>/.cache/test-media` (git-ignored). */
export function defaultMediaDir(): string {
  return resolve(import.meta.dirname, '../../.cache/test-media');
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** The four solid boxes of the pattern for a w×h picture, and their nominal RGB colours. */
export function patternRegions(
  width: number,
  height: number,
): Record<'topLeft' | 'topRight' | 'bottomLeft' | 'bottomRight', Box & { rgb: Rgb | null }> {
  const w = Math.floor(width / 4);
  const h = Math.floor(height / 4);
  const right = width - w;
  const bottom = height - h;
  return {
    topLeft: { x: 0, y: 0, w, h, rgb: null }, // markColor; [255, 0, 0] by default
    topRight: { x: right, y: 0, w, h, rgb: [0, 255, 0] },
    bottomLeft: { x: 0, y: bottom, w, h, rgb: [0, 0, 255] },
    bottomRight: { x: right, y: bottom, w, h, rgb: [255, 255, 255] },
  };
}

export type Rgb = readonly [number, number, number];

/** Centre of a box, the safest place to sample its colour. */
export function centre(box: Box): { x: number; y: number } {
  return { x: box.x + Math.floor(box.w / 2), y: box.y + Math.floor(box.h / 2) };
}

/** Generate (or reuse) a clip; resolves to its absolute path. */
export async function generateClip(options: ClipOptions): Promise<string> {
  const o = withDefaults(options);
  const dir = resolve(options.dir ?? defaultMediaDir());
  const key = createHash('sha256')
    .update(JSON.stringify({ PATTERN_VERSION, ...o }))
    .digest('hex')
    .slice(0, 10);
  const name = `${o.codec}-${o.width}x${o.height}-${o.fps}fps-${o.frames}f-g${o.gop}${o.bFrames ? '-b' : ''}-${key}.${o.container}`;
  const path = join(dir, name);
  if (await exists(path)) return path;
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await encodeClip(o, tmp);
    await rename(tmp, path); // atomic: concurrent generators of the same clip both succeed
  } finally {
    await rm(tmp, { force: true });
  }
  return path;
}

type Optional = 'bitrate' | 'extraParams' | 'profile';
type Resolved = Required<Omit<ClipOptions, 'dir' | 'duration' | Optional>> &
  Pick<ClipOptions, Optional>;

function withDefaults(o: ClipOptions): Resolved {
  const fps = o.fps ?? 25;
  const frames = o.frames ?? Math.round((o.duration ?? 2) * fps);
  if (!Number.isInteger(fps) || fps <= 0) throw new Error(`fps must be a positive integer`);
  if (!Number.isInteger(frames) || frames <= 0) throw new Error(`frames must be positive`);
  return {
    container: o.container ?? 'flv',
    codec: o.codec,
    width: o.width,
    height: o.height,
    fps,
    frames,
    gop: o.gop ?? fps,
    bFrames: o.bFrames ?? false,
    markColor: o.markColor ?? 'red',
    pixelFormat: o.pixelFormat ?? 'yuv420p',
    bitrate: o.bitrate,
    extraParams: o.extraParams,
    profile: o.profile,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

function sourceGraph(o: Resolved): string {
  const box = (x: string, y: string, color: string): string =>
    `drawbox=x=${x}:y=${y}:w=trunc(iw/4):h=trunc(ih/4):color=${color}:t=fill`;
  return [
    `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}`,
    box('0', '0', o.markColor),
    box('iw-trunc(iw/4)', '0', '0x00FF00'),
    box('0', 'ih-trunc(ih/4)', '0x0000FF'),
    box('iw-trunc(iw/4)', 'ih-trunc(ih/4)', '0xFFFFFF'),
    `format=${o.pixelFormat}`,
  ].join(',');
}

async function createEncoder(o: Resolved): Promise<Encoder> {
  const context = {
    gopSize: o.gop,
    maxBFrames: o.bFrames ? 2 : 0,
    threadCount: 0,
    bitRate: o.bitrate ?? 0, // node-av defaults to 1M, which would override CRF
  };
  const profile = o.profile ? { profile: o.profile } : {};
  const extra = o.extraParams ? `:${o.extraParams}` : '';
  const gop = `keyint=${o.gop}:min-keyint=${o.gop}:scenecut=0:open-gop=0`;
  switch (o.codec) {
    case 'h264':
      return Encoder.create(FF_ENCODER_LIBX264, {
        context,
        options: {
          preset: 'veryfast',
          ...profile,
          ...(o.bitrate ? {} : { crf: 23 }),
          sc_threshold: 0,
          'x264-params': `${gop}${extra}`,
        },
      });
    case 'hevc':
      return Encoder.create(FF_ENCODER_LIBX265, {
        context,
        options: {
          preset: 'ultrafast',
          ...profile,
          ...(o.bitrate ? {} : { crf: 28 }),
          'x265-params': `${gop}:bframes=${o.bFrames ? 2 : 0}:info=0:log-level=error${extra}`,
        },
      });
    case 'av1':
      process.env['SVT_LOG'] ??= '1'; // SVT-AV1 prints its banner unless told errors only
      return Encoder.create(FF_ENCODER_LIBSVTAV1, {
        context: { ...context, maxBFrames: 0 },
        options: {
          preset: 12,
          ...(o.bitrate ? {} : { crf: 35 }),
          'svtav1-params': `keyint=${o.gop}:scd=0${extra}`,
        },
      });
  }
}

async function encodeClip(o: Resolved, out: string): Promise<void> {
  Log.setLevel(AV_LOG_ERROR); // libx264/x265 print statistics at info level
  await using input = await Demuxer.open(sourceGraph(o), { format: 'lavfi' });
  const stream = input.video();
  if (!stream) throw new Error('lavfi source has no video stream');
  using decoder = await Decoder.create(stream);
  using encoder = await createEncoder(o);
  const sink = memorySink();
  await using output = await Muxer.open(sink, { format: o.container });
  await encodeFirstFrames(input, stream.index, decoder, encoder, output, o.frames);
  await writeFile(out, sink.contents());
}

/**
 * Decodes `streamIndex` of `input` and encodes its first `frames` pictures into `output` (as
 * a new stream), then flushes the encoder and closes the output.
 */
export async function encodeFirstFrames(
  input: Demuxer,
  streamIndex: number,
  decoder: Decoder,
  encoder: Encoder,
  output: Muxer,
  frames: number,
): Promise<void> {
  const index = output.addStream(encoder);
  let count = 0;
  const write = async (packets: Packet[]): Promise<void> => {
    for (const packet of packets) {
      await output.writePacket(packet, index);
      packet.free();
    }
  };
  for await (const packet of input.packets(streamIndex)) {
    if (!packet) break;
    const decoded = await decoder.decodeAll(packet);
    packet.free();
    for (const frame of decoded) {
      if (count < frames) {
        count++;
        await write(await encoder.encodeAll(frame));
      }
      frame.free();
    }
    if (count >= frames) break;
  }
  await write(await encoder.encodeAll(null));
  await output.close();
}
