/**
 * Test clips for the capture tests, made in process with libx264 / libx265: a test pattern
 * with known colour quadrants, encoded and handed back the way ingest hands streams on — a
 * codec configuration record (avcC / hvcC, as FLV carries it) and access units of 4-byte
 * length-prefixed NAL units with ms timestamps.
 *
 * Pattern (display size w×h): top-left white, top-right black, bottom-left red, bottom-right
 * blue, in limited range with the chosen matrix; optional luma noise in the right half makes
 * keyframes realistically large (for measurements).
 *
 * Imported by other capture tests; its own self-check runs only when this file is the entry.
 */
import '../src/util/polyfill.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { Codec, CodecContext, Dictionary, Frame, Log, Packet, Rational } from 'node-av/lib';
import {
  AV_CODEC_FLAG_GLOBAL_HEADER,
  AV_LOG_QUIET,
  AV_PIX_FMT_YUV420P,
  AV_PIX_FMT_YUV420P10LE,
  AV_PIX_FMT_YUV444P,
  AVCOL_PRI_BT709,
  AVCOL_PRI_SMPTE170M,
  AVCOL_RANGE_MPEG,
  AVCOL_SPC_BT709,
  AVCOL_SPC_SMPTE170M,
  AVCOL_TRC_BT709,
  AVCOL_TRC_SMPTE170M,
  FF_ENCODER_LIBX264,
  FF_ENCODER_LIBX265,
} from 'node-av/constants';
import type { AccessUnit, CodecConfig } from '../src/stream/stream-types.js';

export type ClipPixelFormat = 'yuv420p' | 'yuv444p' | 'yuv420p10le';
export type ClipMatrix = 'bt601' | 'bt709';

export interface ClipOptions {
  readonly codec: 'h264' | 'hevc';
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  /** Keyframe every `gop` frames. */
  readonly gop: number;
  readonly fps?: number;
  readonly bframes?: number;
  readonly pixelFormat?: ClipPixelFormat;
  readonly matrix?: ClipMatrix;
  /** Luma noise on the right half (bigger, more realistic keyframes). */
  readonly noise?: boolean;
  readonly crf?: number;
}

export interface Clip {
  readonly config: CodecConfig;
  readonly units: AccessUnit[];
}

export const QUADRANTS = {
  white: [255, 255, 255],
  black: [0, 0, 0],
  red: [255, 0, 0],
  blue: [0, 0, 255],
} as const;

export type Quadrant = keyof typeof QUADRANTS;

/** Centre of a quadrant in a w×h picture. */
export function quadrantCentre(q: Quadrant, w: number, h: number): [number, number] {
  const right = q === 'black' || q === 'blue';
  const bottom = q === 'red' || q === 'blue';
  return [Math.floor(right ? (3 * w) / 4 : w / 4), Math.floor(bottom ? (3 * h) / 4 : h / 4)];
}

const KR_KB: Record<ClipMatrix, [number, number]> = {
  bt601: [0.299, 0.114],
  bt709: [0.2126, 0.0722],
};

/** Limited-range Y'CbCr (8-bit scale) of a full-range RGB colour. */
export function limitedYuv(rgb: readonly number[], matrix: ClipMatrix): [number, number, number] {
  const [kr, kb] = KR_KB[matrix];
  const [r, g, b] = rgb.map((v) => v / 255) as [number, number, number];
  const y = kr * r + (1 - kr - kb) * g + kb * b;
  const cb = (b - y) / (2 * (1 - kb));
  const cr = (r - y) / (2 * (1 - kr));
  return [Math.round(16 + 219 * y), Math.round(128 + 224 * cb), Math.round(128 + 224 * cr)];
}

function quadrantAt(x: number, y: number, w: number, h: number): Quadrant {
  const right = x >= w / 2;
  const bottom = y >= h / 2;
  return bottom ? (right ? 'blue' : 'red') : right ? 'black' : 'white';
}

function paint(frame: Frame, o: Required<ClipOptions>, index: number): void {
  const planes = frame.data;
  if (planes === null) throw new Error('frame has no planes');
  const linesize = frame.linesize;
  const tenBit = o.pixelFormat === 'yuv420p10le';
  const sub = o.pixelFormat === 'yuv444p' ? 0 : 1;
  const { width: w, height: h } = o;
  const colours = Object.fromEntries(
    Object.entries(QUADRANTS).map(([k, rgb]) => [k, limitedYuv(rgb, o.matrix)]),
  ) as Record<Quadrant, [number, number, number]>;
  const put = (plane: number, x: number, y: number, v: number) => {
    const buf = planes[plane]!;
    const ls = linesize[plane]!;
    if (tenBit) buf.writeUInt16LE(v * 4, y * ls + x * 2);
    else buf[y * ls + x] = v;
  };
  let seed = (index + 1) * 2654435761;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = colours[quadrantAt(x, y, w, h)][0];
      if (o.noise && x >= w / 2) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        v = Math.min(235, Math.max(16, v + ((seed >>> 16) % 61) - 30));
      }
      put(0, x, y, v);
    }
  }
  const cw = sub ? (w + 1) >> 1 : w;
  const ch = sub ? (h + 1) >> 1 : h;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const c = colours[quadrantAt(x << sub, y << sub, w, h)];
      put(1, x, y, c[1]);
      put(2, x, y, c[2]);
    }
  }
}

/** Split an Annex-B byte stream into NAL units (without start codes). */
export function splitAnnexB(buf: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < buf.length; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts
    .map((s, k) => {
      let end = k + 1 < starts.length ? starts[k + 1]! - 3 : buf.length;
      while (end > s && buf[end - 1] === 0) end--;
      return buf.subarray(s, end);
    })
    .filter((n) => n.length > 0);
}

/** NAL units → 4-byte length-prefixed, as FLV / ingest carry them. */
export function lengthPrefixed(nals: readonly Buffer[]): Buffer {
  return Buffer.concat(
    nals.flatMap((n) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(n.length);
      return [len, n];
    }),
  );
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** AVCDecoderConfigurationRecord with 4-byte NAL lengths. */
export function buildAvcC(sps: readonly Buffer[], pps: readonly Buffer[]): Buffer {
  const s = sps[0]!;
  return Buffer.concat([
    Buffer.from([1, s[1]!, s[2]!, s[3]!, 0xfc | 3, 0xe0 | sps.length]),
    ...sps.flatMap((x) => [u16(x.length), x]),
    Buffer.from([pps.length]),
    ...pps.flatMap((x) => [u16(x.length), x]),
  ]);
}

function rbsp(nal: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out.push(byte);
  }
  return Buffer.from(out);
}

/** HEVCDecoderConfigurationRecord (general profile/tier/level copied from the SPS). */
export function buildHvcC(
  vps: readonly Buffer[],
  sps: readonly Buffer[],
  pps: readonly Buffer[],
  bitDepth: number,
  chromaFormat: number,
): Buffer {
  const ptl = rbsp(sps[0]!).subarray(3, 15); // after the 2-byte header and 1 byte of ids
  const head = Buffer.alloc(23);
  head[0] = 1;
  ptl.copy(head, 1); // profile space/tier/idc, compatibility flags, constraint flags, level
  head.writeUInt16BE(0xf000, 13); // min_spatial_segmentation_idc 0
  head[15] = 0xfc; // parallelismType 0
  head[16] = 0xfc | chromaFormat;
  head[17] = 0xf8 | (bitDepth - 8);
  head[18] = 0xf8 | (bitDepth - 8);
  head.writeUInt16BE(0, 19); // avgFrameRate unknown
  head[21] = (1 << 3) | (1 << 2) | 3; // 1 temporal layer, nested, 4-byte NAL lengths
  head[22] = 3;
  const array = (type: number, list: readonly Buffer[]) => [
    Buffer.from([0x80 | type]),
    u16(list.length),
    ...list.flatMap((x) => [u16(x.length), x]),
  ];
  return Buffer.concat([head, ...array(32, vps), ...array(33, sps), ...array(34, pps)]);
}

const PIX_FMT = {
  yuv420p: AV_PIX_FMT_YUV420P,
  yuv444p: AV_PIX_FMT_YUV444P,
  yuv420p10le: AV_PIX_FMT_YUV420P10LE,
} as const;

/** Encode a test-pattern clip; returns its codec config and access units in decode order. */
export async function generateClip(options: ClipOptions): Promise<Clip> {
  const o: Required<ClipOptions> = {
    fps: 25,
    bframes: 0,
    pixelFormat: 'yuv420p',
    matrix: 'bt601',
    noise: false,
    crf: 23,
    ...options,
  };
  Log.setLevel(AV_LOG_QUIET);
  const h264 = o.codec === 'h264';
  const codec = Codec.findEncoderByName(h264 ? FF_ENCODER_LIBX264 : FF_ENCODER_LIBX265);
  if (codec === null) throw new Error(`no ${h264 ? 'libx264' : 'libx265'} in this FFmpeg build`);
  const ctx = new CodecContext();
  const packet = new Packet();
  const opts = new Dictionary();
  try {
    ctx.allocContext3(codec);
    ctx.width = o.width;
    ctx.height = o.height;
    ctx.pixelFormat = PIX_FMT[o.pixelFormat];
    ctx.timeBase = new Rational(1, o.fps);
    ctx.framerate = new Rational(o.fps, 1);
    ctx.gopSize = o.gop;
    ctx.maxBFrames = o.bframes;
    ctx.colorRange = AVCOL_RANGE_MPEG;
    ctx.colorSpace = o.matrix === 'bt709' ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
    ctx.colorPrimaries = o.matrix === 'bt709' ? AVCOL_PRI_BT709 : AVCOL_PRI_SMPTE170M;
    ctx.colorTrc = o.matrix === 'bt709' ? AVCOL_TRC_BT709 : AVCOL_TRC_SMPTE170M;
    ctx.threadCount = 1;
    ctx.setFlags(AV_CODEC_FLAG_GLOBAL_HEADER);
    opts.set('preset', 'ultrafast');
    opts.set('crf', String(o.crf));
    const gopParams = `keyint=${o.gop}:min-keyint=${o.gop}:scenecut=0:bframes=${o.bframes}`;
    if (h264) opts.set('x264-params', gopParams);
    else opts.set('x265-params', `log-level=none:${gopParams}`);
    const ret = await ctx.open2(codec, opts);
    if (ret < 0) throw new Error(`cannot open ${codec.name}: ${ret}`);

    const nalType = (n: Buffer) => (h264 ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f);
    const ps = splitAnnexB(ctx.extraData ?? Buffer.alloc(0));
    const ofType = (t: number) => ps.filter((n) => nalType(n) === t);
    const tenBit = o.pixelFormat === 'yuv420p10le';
    const record = h264
      ? buildAvcC(ofType(7), ofType(8))
      : buildHvcC(
          ofType(32),
          ofType(33),
          ofType(34),
          tenBit ? 10 : 8,
          o.pixelFormat === 'yuv444p' ? 3 : 1,
        );
    // Parameter sets and SEI travel in the record, not in the access units (as in FLV).
    const keep = (n: Buffer) => {
      const t = nalType(n);
      return h264 ? t !== 6 && t !== 7 && t !== 8 && t !== 9 : t < 32 || t > 40;
    };

    const units: AccessUnit[] = [];
    packet.alloc();
    const tsMs = (v: bigint) => Math.round((Number(v) * 1000) / o.fps);
    const drain = async () => {
      while ((await ctx.receivePacket(packet)) >= 0) {
        units.push({
          dts: tsMs(packet.dts),
          pts: tsMs(packet.pts),
          keyframe: packet.isKeyframe,
          data: lengthPrefixed(splitAnnexB(packet.data ?? Buffer.alloc(0)).filter(keep)),
        });
        packet.unref();
      }
    };
    for (let i = 0; i < o.frames; i++) {
      const frame = new Frame();
      try {
        frame.alloc();
        frame.width = o.width;
        frame.height = o.height;
        frame.format = PIX_FMT[o.pixelFormat];
        if (frame.getBuffer(32) < 0) throw new Error('cannot allocate a frame');
        paint(frame, o, i);
        frame.pts = BigInt(i);
        await ctx.sendFrame(frame);
      } finally {
        frame.free();
      }
      await drain();
    }
    await ctx.sendFrame(null);
    await drain();
    const config: CodecConfig = {
      codec: o.codec,
      record,
      width: o.width,
      height: o.height,
      profile: '',
    };
    return { config, units };
  } finally {
    packet.free();
    ctx.freeContext();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  describe('generateClip (capture test clips)', () => {
    it('makes H.264 with an avcC record and keyframes every gop frames', async () => {
      const clip = await generateClip({
        codec: 'h264',
        width: 320,
        height: 240,
        frames: 20,
        gop: 10,
      });
      assert.equal(clip.config.record[0], 1);
      assert.equal(clip.config.record[4]! & 3, 3, '4-byte NAL lengths');
      assert.equal(clip.units.length, 20);
      assert.deepEqual(
        clip.units.filter((u) => u.keyframe).map((u) => u.dts),
        [0, 400],
      );
      for (const u of clip.units) assert.ok(u.data.readUInt32BE(0) + 4 <= u.data.length);
    });

    it('makes HEVC with an hvcC record holding VPS, SPS and PPS', async () => {
      const clip = await generateClip({
        codec: 'hevc',
        width: 320,
        height: 240,
        frames: 5,
        gop: 5,
      });
      assert.equal(clip.config.record[22], 3);
      assert.equal(clip.units.filter((u) => u.keyframe).length, 1);
    });

    it('matches the published BT.601 / BT.709 limited-range values', () => {
      assert.deepEqual(limitedYuv([255, 0, 0], 'bt601'), [81, 90, 240]);
      assert.deepEqual(limitedYuv([255, 0, 0], 'bt709'), [63, 102, 240]);
      assert.deepEqual(limitedYuv([255, 255, 255], 'bt709'), [235, 128, 128]);
    });
  });
}
