import '../src/util/polyfill.js';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Codec, CodecContext, Frame, Log, Packet } from 'node-av/lib';
import {
  AV_CODEC_ID_MJPEG,
  AV_LOG_QUIET,
  AV_PIX_FMT_YUV420P,
  AV_PIX_FMT_YUVJ420P,
} from 'node-av/constants';
import { KeyframeDecoder } from '../src/capture/keyframe-decoder.js';
import { frameToJpeg, jpegQscale, ScalerPool } from '../src/capture/frame-to-jpeg.js';
import { decodeKeyframe } from '../src/capture/decode-keyframe.js';
import {
  CaptureClosedError,
  CaptureOverloadedError,
  KeyframeDecodeError,
  UnsupportedCodecError,
} from '../src/capture/capture-errors.js';
import type { AccessUnit, CodecConfig } from '../src/stream/stream-types.js';
import {
  generateClip,
  QUADRANTS,
  quadrantCentre,
  type Clip,
  type ClipOptions,
  type Quadrant,
} from './capture-clip.test.js';

Log.setLevel(AV_LOG_QUIET);

interface DecodedJpeg {
  width: number;
  height: number;
  /** Full-range BT.601 RGB at (x, y), averaged over a 5×5 block, from the JPEG's own YCbCr. */
  rgb(x: number, y: number): [number, number, number];
  /** Mean luma of a 5×5 block. */
  luma(x: number, y: number): number;
}

/** Decode a JPEG with FFmpeg's MJPEG decoder; colours computed in JS (JFIF: full range). */
async function readJpeg(jpeg: Buffer): Promise<DecodedJpeg> {
  assert.equal(jpeg.readUInt16BE(0), 0xffd8, 'JPEG SOI marker');
  assert.equal(jpeg.readUInt16BE(jpeg.length - 2), 0xffd9, 'JPEG EOI marker');
  const codec = Codec.findDecoder(AV_CODEC_ID_MJPEG)!;
  const ctx = new CodecContext();
  const packet = new Packet();
  const frame = new Frame();
  try {
    ctx.allocContext3(codec);
    assert.equal(await ctx.open2(codec, null), 0);
    packet.alloc();
    packet.data = jpeg;
    frame.alloc();
    assert.equal(await ctx.sendPacket(packet), 0);
    assert.equal(await ctx.receiveFrame(frame), 0);
    assert.ok(
      frame.format === AV_PIX_FMT_YUVJ420P || frame.format === AV_PIX_FMT_YUV420P,
      `4:2:0 JPEG (format ${frame.format})`,
    );
    const [Y, U, V] = frame.data!.map((p) => Buffer.from(p));
    const [ly, lu, lv] = frame.linesize;
    const { width, height } = frame;
    const block = (x: number, y: number, f: (x: number, y: number) => number) => {
      let sum = 0;
      let n = 0;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          sum += f(Math.min(width - 1, Math.max(0, x + dx)), Math.min(height - 1, y + dy));
          n++;
        }
      }
      return sum / n;
    };
    const luma = (x: number, y: number) => block(x, y, (a, b) => Y![b * ly! + a]!);
    return {
      width,
      height,
      luma,
      rgb(x, y) {
        const l = luma(x, y);
        const cb = block(x, y, (a, b) => U![(b >> 1) * lu! + (a >> 1)]!) - 128;
        const cr = block(x, y, (a, b) => V![(b >> 1) * lv! + (a >> 1)]!) - 128;
        const clamp = (v: number) => Math.round(Math.min(255, Math.max(0, v)));
        return [
          clamp(l + 1.402 * cr),
          clamp(l - 0.344136 * cb - 0.714136 * cr),
          clamp(l + 1.772 * cb),
        ];
      },
    };
  } finally {
    frame.free();
    packet.free();
    ctx.freeContext();
  }
}

function assertColour(img: DecodedJpeg, q: Quadrant, tolerance = 12): void {
  const [x, y] = quadrantCentre(q, img.width, img.height);
  const got = img.rgb(x, y);
  const want = QUADRANTS[q];
  for (let c = 0; c < 3; c++) {
    assert.ok(
      Math.abs(got[c]! - want[c]!) <= tolerance,
      `${q} at ${x},${y}: got rgb(${got.join(',')}), want rgb(${want.join(',')})`,
    );
  }
}

function assertPattern(img: DecodedJpeg): void {
  const [wx, wy] = quadrantCentre('white', img.width, img.height);
  const [bx, by] = quadrantCentre('black', img.width, img.height);
  assert.ok(img.luma(wx, wy) >= 250, `white is full range (Y ${img.luma(wx, wy)})`);
  assert.ok(img.luma(bx, by) <= 5, `black is full range (Y ${img.luma(bx, by)})`);
  for (const q of Object.keys(QUADRANTS) as Quadrant[]) assertColour(img, q);
}

const NOISY: ClipOptions = {
  codec: 'h264',
  width: 640,
  height: 360,
  frames: 1,
  gop: 5,
  noise: true,
  crf: 30,
};

const keyframes = (clip: Clip): AccessUnit[] => clip.units.filter((u) => u.keyframe);

const clips = new Map<string, Clip>();
async function clip(name: string, options: ClipOptions): Promise<Clip> {
  let c = clips.get(name);
  if (c === undefined) {
    c = await generateClip(options);
    clips.set(name, c);
  }
  return c;
}

describe('KeyframeDecoder', () => {
  let decoder: KeyframeDecoder;
  before(() => {
    decoder = new KeyframeDecoder({ concurrency: 2, backlog: 8, jpegQuality: 90 });
  });

  const cases: [string, ClipOptions][] = [
    ['H.264 642x362', { codec: 'h264', width: 642, height: 362, frames: 1, gop: 10 }],
    [
      'H.264 with B-frames (reordering delay: drained)',
      { codec: 'h264', width: 640, height: 360, frames: 24, gop: 8, bframes: 3 },
    ],
    ['HEVC 642x362', { codec: 'hevc', width: 642, height: 362, frames: 1, gop: 10 }],
    [
      'HEVC 10-bit',
      { codec: 'hevc', width: 642, height: 362, frames: 1, gop: 10, pixelFormat: 'yuv420p10le' },
    ],
    [
      'HEVC with B-frames',
      { codec: 'hevc', width: 640, height: 360, frames: 16, gop: 8, bframes: 3 },
    ],
    [
      'H.264 4:4:4 with an odd size 321x241',
      { codec: 'h264', width: 321, height: 241, frames: 1, gop: 10, pixelFormat: 'yuv444p' },
    ],
    [
      'HEVC 4:4:4 with an odd size 321x241',
      { codec: 'hevc', width: 321, height: 241, frames: 1, gop: 10, pixelFormat: 'yuv444p' },
    ],
    [
      'H.264 tagged BT.709 (re-matrixed to BT.601 for JPEG)',
      { codec: 'h264', width: 1280, height: 720, frames: 1, gop: 10, matrix: 'bt709' },
    ],
  ];

  for (const [name, options] of cases) {
    it(`${name}: JPEG of the display size, full-range colours`, async () => {
      const c = await clip(name, options);
      const keys = keyframes(c);
      assert.ok(keys.length >= 1);
      for (const key of keys) {
        const out = await decoder.decode(c.config, key);
        assert.equal(out.width, options.width);
        assert.equal(out.height, options.height);
        const img = await readJpeg(out.jpeg);
        assert.equal(img.width, options.width);
        assert.equal(img.height, options.height);
        assertPattern(img);
      }
    });
  }

  it('follows a resolution change (new codec config) and back', async () => {
    const small = await clip('small', {
      codec: 'h264',
      width: 320,
      height: 180,
      frames: 1,
      gop: 5,
    });
    const big = await clip('big', { codec: 'h264', width: 1280, height: 720, frames: 1, gop: 5 });
    const hevc = await clip('HEVC 642x362', cases[2]![1]);
    for (const c of [small, big, hevc, small]) {
      const out = await decoder.decode(c.config, keyframes(c)[0]!);
      assert.equal(out.width, c.config.width);
      assert.equal(out.height, c.config.height);
      assertPattern(await readJpeg(out.jpeg));
    }
  });

  it('a reused swscale context follows size and format changes: same JPEG as a fresh one', async () => {
    const scalers = new ScalerPool(1);
    const pictures = [
      await clip('H.264 tagged BT.709 (re-matrixed to BT.601 for JPEG)', cases[7]![1]),
      await clip('HEVC 4:4:4 with an odd size 321x241', cases[6]![1]),
      await clip('HEVC 10-bit', cases[3]![1]),
      await clip('H.264 tagged BT.709 (re-matrixed to BT.601 for JPEG)', cases[7]![1]),
    ];
    try {
      for (const c of pictures) {
        const frame = await decodeKeyframe(c.config, keyframes(c)[0]!.data);
        try {
          const pooled = await frameToJpeg(frame, 90, scalers);
          const fresh = await frameToJpeg(frame, 90);
          assert.ok(pooled.equals(fresh), `${c.config.width}x${c.config.height}`);
          assertPattern(await readJpeg(pooled));
        } finally {
          frame.free();
        }
      }
    } finally {
      scalers.close();
    }
  });

  it('rejects damaged keyframes with KeyframeDecodeError and keeps working', async () => {
    const c = await clip('noisy', NOISY);
    const key = keyframes(c)[0]!;
    const damaged: Record<string, Buffer> = {
      empty: Buffer.alloc(0),
      zeros: Buffer.alloc(4000),
      garbage: Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) & 255)),
      truncated: key.data.subarray(0, key.data.length >> 1),
      'overwritten middle': (() => {
        const b = Buffer.from(key.data);
        for (let i = b.length >> 1; i < (b.length >> 1) + 300; i++) b[i] = (i * 31) & 255;
        return b;
      })(),
    };
    for (const [name, data] of Object.entries(damaged)) {
      await assert.rejects(
        decoder.decode(c.config, { ...key, data }),
        KeyframeDecodeError,
        `${name} keyframe`,
      );
    }
    const badConfig: CodecConfig = { ...c.config, record: Buffer.from([1, 2, 3]) };
    await assert.rejects(decoder.decode(badConfig, key), KeyframeDecodeError, 'bad record');
    await assert.rejects(
      decoder.decode(c.config, { ...key, keyframe: false }),
      KeyframeDecodeError,
      'non-keyframe',
    );
    const out = await decoder.decode(c.config, key);
    assert.equal(out.width, 640);
  });

  it('a capture thread that does not answer in time is replaced; its keyframe fails', async () => {
    // 1 ms: less than a thread takes to start, let alone decode.
    const impatient = new KeyframeDecoder({
      concurrency: 1,
      backlog: 1,
      jpegQuality: 80,
      timeoutMs: 1,
    });
    const config: CodecConfig = {
      codec: 'h264',
      record: Buffer.alloc(8),
      width: 0,
      height: 0,
      profile: '',
    };
    const unit: AccessUnit = { dts: 0, pts: 0, keyframe: true, data: Buffer.alloc(100, 1) };
    for (let i = 0; i < 2; i++) {
      await assert.rejects(impatient.decode(config, unit), (err: Error) => {
        assert.ok(err instanceof KeyframeDecodeError);
        assert.match(err.message, /no answer within 1 ms/);
        return true;
      });
      assert.equal(impatient.stats.running, 0, 'the slot is free again');
    }
    await impatient.close();
  });

  it('rejects av1 with UnsupportedCodecError', async () => {
    const config: CodecConfig = {
      codec: 'av1',
      record: Buffer.alloc(4),
      width: 0,
      height: 0,
      profile: '',
    };
    const unit: AccessUnit = { dts: 0, pts: 0, keyframe: true, data: Buffer.alloc(100) };
    await assert.rejects(decoder.decode(config, unit), UnsupportedCodecError);
  });

  it('maps quality 1–100 to MJPEG qscale 31–2; higher quality makes bigger files', async () => {
    assert.equal(jpegQscale(100), 2);
    assert.equal(jpegQscale(1), 31);
    assert.equal(jpegQscale(85), 6);
    assert.equal(jpegQscale(0), 31);
    assert.equal(jpegQscale(1000), 2);
    const c = await clip('noisy', NOISY);
    const key = keyframes(c)[0]!;
    const sizes = [];
    for (const q of [10, 50, 95]) {
      sizes.push((await decoder.decode(c.config, key, { jpegQuality: q })).jpeg.length);
    }
    assert.ok(sizes[0]! < sizes[1]! && sizes[1]! < sizes[2]!, `sizes ${sizes.join(' < ')}`);
  });

  it('overloaded: refuses at once beyond concurrency + backlog, never queues without limit', async () => {
    const c = await clip('H.264 642x362', cases[0]![1]);
    const key = keyframes(c)[0]!;
    const small = new KeyframeDecoder({ concurrency: 1, backlog: 2, jpegQuality: 80 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => small.decode(c.config, key)),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof CaptureOverloadedError,
    ).length;
    assert.equal(ok, 3);
    assert.equal(refused, 5);
    assert.equal(small.stats.overloaded, 5);
    assert.equal(small.stats.completed, 3);
    await small.close();
    await assert.rejects(small.decode(c.config, key), CaptureClosedError);
  });

  it('decodes off the event loop (timers keep firing during 1080p decodes)', async () => {
    const c = await clip('1080p', {
      codec: 'h264',
      width: 1920,
      height: 1080,
      frames: 1,
      gop: 5,
      noise: true,
    });
    const key = keyframes(c)[0]!;
    let maxGap = 0;
    let last = performance.now();
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 1);
    const started = performance.now();
    await Promise.all(Array.from({ length: 4 }, () => decoder.decode(c.config, key)));
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // Decoding synchronously would leave a handful of ticks and gaps of a whole decode.
    assert.ok(ticks >= elapsed / 5, `only ${ticks} timer ticks in ${elapsed.toFixed(1)} ms`);
    assert.ok(maxGap < 50, `the event loop was blocked for ${maxGap.toFixed(1)} ms`);
  });
});
