import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Decoder, Demuxer, Scaler } from 'node-av/api';
import { AV_CODEC_ID_H264, AV_CODEC_ID_HEVC, AV_LOG_ERROR } from 'node-av/constants';
import { Log } from 'node-av/lib';
import { containsIrap, parseCodecRecord } from '../../src/media/param-sets.js';
import { parseVideoTag } from '../../src/media/flv-video.js';
import { readFlvVideoTags } from '../../src/media/flv-file.js';
import { closeTo, decodeJpeg, rgbImage, type DecodedImage } from './jpeg.js';
import { centre, generateClip, patternRegions, type ClipOptions } from './media.js';
import { pushWithFfmpegCli, pushWithGstreamer, pushWithNodeAv, type PushHandle } from './push.js';

Log.setLevel(AV_LOG_ERROR); // FLV-over-RTMP trailer and yuvj warnings are expected here

const FFMPEG = '/usr/bin/ffmpeg';
const GST_LAUNCH = '/usr/bin/gst-launch-1.0';
const noFfmpeg = !existsSync(FFMPEG) && 'no ffmpeg CLI';
const noGst = !existsSync(GST_LAUNCH) && 'no GStreamer';
const RTMP_VERSION = 0x03;
/** C0 (1 byte) + C1 (1536 bytes) of the RTMP handshake. */
const C0_C1_SIZE = 1537;

interface Probe {
  width: number;
  height: number;
  codecId: number;
  packets: number;
  /** Decode-order indexes of keyframe packets. */
  keyIndexes: number[];
  /** Display-order frame numbers of keyframes (pts / frame duration). */
  keyFrames: number[];
  /** Packets whose pts differs from dts (B-frame reordering). */
  reordered: number;
}

async function probe(file: string, fps: number): Promise<Probe> {
  await using input = await Demuxer.open(file);
  const stream = input.video()!;
  const tb = stream.timeBase;
  const result: Probe = {
    width: stream.codecpar.width,
    height: stream.codecpar.height,
    codecId: stream.codecpar.codecId,
    packets: 0,
    keyIndexes: [],
    keyFrames: [],
    reordered: 0,
  };
  let firstPts: number | null = null;
  for await (const packet of input.packets(stream.index)) {
    if (!packet) break;
    const ptsSeconds = (Number(packet.pts) * tb.num) / tb.den;
    firstPts ??= ptsSeconds;
    if (packet.isKeyframe) {
      result.keyIndexes.push(result.packets);
      result.keyFrames.push(Math.round((ptsSeconds - firstPts) * fps));
    }
    if (packet.pts !== packet.dts) result.reordered++;
    result.packets++;
    packet.free();
  }
  return result;
}

describe('generateClip', () => {
  const h264: ClipOptions = {
    codec: 'h264',
    width: 320,
    height: 240,
    fps: 25,
    frames: 30,
    gop: 10,
    bFrames: true,
  };
  const hevc: ClipOptions = { codec: 'hevc', width: 642, height: 362, fps: 30, frames: 20, gop: 6 };

  it('writes H.264 FLV with keyframes exactly every gop frames and B-frames', async () => {
    const file = await generateClip(h264);
    const p = await probe(file, 25);
    assert.deepEqual(
      { ...p, reordered: p.reordered > 0 },
      {
        width: 320,
        height: 240,
        codecId: AV_CODEC_ID_H264,
        packets: 30,
        keyIndexes: [0, 10, 20],
        keyFrames: [0, 10, 20],
        reordered: true,
      },
    );
  });

  it('writes HEVC FLV as Enhanced RTMP hvc1 tags our parsers read', async () => {
    const file = await generateClip(hevc);
    const p = await probe(file, 30);
    assert.equal(p.codecId, AV_CODEC_ID_HEVC);
    assert.deepEqual([p.width, p.height, p.packets], [642, 362, 20]);
    assert.deepEqual(p.keyIndexes, [0, 6, 12, 18]);
    assert.equal(p.reordered, 0);

    const tags = readFlvVideoTags(await readFile(file));
    assert.equal(tags[0]!.body.toString('latin1', 1, 5), 'hvc1');
    const parsed = tags.map((t) => parseVideoTag(t.body));
    const config = parsed[0]!;
    assert.equal(config.kind, 'config');
    assert.deepEqual(parseCodecRecord('hevc', config.kind === 'config' ? config.record : null!), {
      width: 642,
      height: 362,
      profile: 'Main',
    });
    const frames = parsed.filter((t) => t.kind === 'frame');
    assert.equal(frames.length, 20);
    for (const [i, f] of frames.entries()) {
      assert.equal(f.keyframe, i % 6 === 0, `frame ${i} flag`);
      assert.equal(containsIrap('hevc', f.data), i % 6 === 0, `frame ${i} NAL types`);
    }
  });

  it('writes MP4 too, and parses legacy H.264 FLV tags with composition times', async () => {
    const mp4 = await generateClip({ ...h264, container: 'mp4' });
    assert.match(mp4, /\.mp4$/);
    const p = await probe(mp4, 25);
    assert.deepEqual([p.width, p.height, p.packets, p.keyIndexes], [320, 240, 30, [0, 10, 20]]);

    const tags = readFlvVideoTags(await readFile(await generateClip(h264)));
    const frames = tags.map((t) => parseVideoTag(t.body)).filter((t) => t.kind === 'frame');
    assert.equal(frames.length, 30);
    assert.ok(
      frames.some((f) => f.compositionTime > 0),
      'B-frames give composition times',
    );
    assert.deepEqual(
      frames.flatMap((f, i) => (containsIrap('h264', f.data) ? [i] : [])),
      [0, 10, 20],
    );
  });

  it('writes AV1 FLV as Enhanced RTMP av01', async () => {
    const file = await generateClip({ codec: 'av1', width: 320, height: 180, frames: 10, gop: 5 });
    const tags = readFlvVideoTags(await readFile(file)).map((t) => parseVideoTag(t.body));
    const config = tags[0]!;
    assert.ok(config.kind === 'config' && config.codec === 'av1');
    assert.deepEqual(parseCodecRecord('av1', config.record), {
      width: 320,
      height: 180,
      profile: 'Main',
    });
    const frames = tags.filter((t) => t.kind === 'frame');
    assert.equal(frames.length, 10);
    assert.deepEqual(
      frames.flatMap((f, i) => (f.keyframe ? [i] : [])),
      [0, 5],
    );
    assert.deepEqual(
      frames.flatMap((f, i) => (containsIrap('av1', f.data) ? [i] : [])),
      [0, 5],
    );
  });

  it('reuses a cached clip', async () => {
    const first = await generateClip(h264);
    const started = performance.now();
    assert.equal(await generateClip(h264), first);
    assert.ok(performance.now() - started < 50);
  });

  const colourCases = [
    ['h264', undefined, [255, 0, 0]],
    ['hevc', '0x336699', [0x33, 0x66, 0x99]],
  ] as const;

  function assertPattern(label: string, image: DecodedImage, mark: readonly number[]): void {
    assert.deepEqual([image.width, image.height], [642, 362]);
    for (const [name, box] of Object.entries(patternRegions(642, 362))) {
      const { x, y } = centre(box);
      const rgb = image.rgbAt(x, y);
      const expected = box.rgb ?? mark;
      assert.ok(closeTo(rgb, expected), `${label} ${name}: ${rgb} vs ${expected}`);
    }
  }

  it('draws the documented colour boxes (decoded with node-av)', async () => {
    for (const [codec, markColor, mark] of colourCases) {
      const file = await generateClip({ codec, width: 642, height: 362, frames: 5, markColor });
      assertPattern(codec, await firstFrameRgb(file), mark);
    }
  });

  it(
    'draws the documented colour boxes (through an ffmpeg CLI JPEG)',
    { skip: noFfmpeg },
    async () => {
      // MP4, because Debian's ffmpeg 5.1 does not read Enhanced RTMP (hvc1) FLV.
      const dir = await mkdtemp(join(tmpdir(), 'livesnap-media-'));
      try {
        for (const [codec, markColor, mark] of colourCases) {
          const clip = { codec, width: 642, height: 362, frames: 5, markColor } as const;
          const file = await generateClip({ ...clip, container: 'mp4' });
          const jpegPath = join(dir, `${codec}.jpg`);
          await promisify(execFile)(FFMPEG, [
            ...['-v', 'error', '-i', file, '-frames:v', '1', '-q:v', '2', jpegPath],
          ]);
          assertPattern(`${codec} JPEG`, await decodeJpeg(await readFile(jpegPath)), mark);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

/** First picture of a clip as RGB (node-av decode, swscale to rgb24). */
async function firstFrameRgb(file: string): Promise<DecodedImage> {
  await using input = await Demuxer.open(file);
  const stream = input.video()!;
  using decoder = await Decoder.create(stream);
  using scaler = new Scaler();
  for await (const frame of decoder.frames(input.packets(stream.index))) {
    if (!frame) break;
    try {
      return rgbImage(frame.width, frame.height, await scaler.toBuffer(frame, { format: 'rgb' }));
    } finally {
      frame.free();
    }
  }
  throw new Error(`${file}: no frame decoded`);
}

describe('push helpers', () => {
  let server: ReturnType<typeof createServer>;
  let received: Promise<Buffer>;
  let port: number;

  /** A TCP listener that records the first 1537 bytes of the next connection, then hangs up. */
  function expectConnection(): void {
    received = new Promise((resolve, reject) => {
      server.once('connection', (socket: Socket) => {
        let data = Buffer.alloc(0);
        socket.on('error', () => {});
        socket.on('data', (chunk) => {
          data = Buffer.concat([data, chunk]);
          if (data.length >= C0_C1_SIZE) {
            resolve(data);
            socket.destroy();
          }
        });
        socket.on('close', () => reject(new Error(`connection closed after ${data.length} bytes`)));
      });
    });
  }

  before(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function assertHandshake(push: PushHandle): Promise<void> {
    try {
      const data = await received;
      assert.equal(data[0], RTMP_VERSION);
      assert.ok(data.length >= C0_C1_SIZE);
    } finally {
      await push.stop();
    }
  }

  it('pushWithNodeAv opens an RTMP handshake (C0 = 3)', async () => {
    const file = await generateClip({ codec: 'hevc', width: 320, height: 240, frames: 10 });
    expectConnection();
    const push = pushWithNodeAv(file, `rtmp://127.0.0.1:${port}/live/cam1`);
    await assertHandshake(push);
    await push.done; // stopped: resolves even though the listener hung up
  });

  it('pushWithFfmpegCli opens an RTMP handshake (C0 = 3)', { skip: noFfmpeg }, async () => {
    const file = await generateClip({ codec: 'h264', width: 320, height: 240, frames: 10 });
    expectConnection();
    await assertHandshake(pushWithFfmpegCli(file, `rtmp://127.0.0.1:${port}/live/cam1`));
  });

  it('pushWithGstreamer opens an RTMP handshake (C0 = 3)', { skip: noGst }, async () => {
    expectConnection();
    const push = pushWithGstreamer(`rtmp://127.0.0.1:${port}/live/cam1`, { frames: 50 });
    await assertHandshake(push);
  });

  it('surfaces the tool error output when a push fails', { timeout: 20_000 }, async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const file = await generateClip({ codec: 'h264', width: 320, height: 240, frames: 10 });
    const url = `rtmp://127.0.0.1:${deadPort}/live/cam1`;
    await assert.rejects(pushWithNodeAv(file, url).done, /node-av push .* failed/);
    if (!noFfmpeg) {
      await assert.rejects(
        pushWithFfmpegCli(file, url).done,
        /ffmpeg ended with exit code \d+:\n.+/,
      );
    }
  });
});

/** Free TCP port (tiny race between closing and reuse, fine for tests). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Receive one publish with FFmpeg 8's RTMP server mode (node-av), counting packets. */
async function receiveRtmp(
  url: string,
): Promise<{ codecId: number; size: string; packets: number; keys: number }> {
  await using input = await Demuxer.open(url, { options: { listen: '1', timeout: '15' } });
  const stream = input.video()!;
  let packets = 0;
  let keys = 0;
  for await (const packet of input.packets(stream.index)) {
    if (!packet) break;
    packets++;
    if (packet.isKeyframe) keys++;
    packet.free();
  }
  const { codecId, width, height } = stream.codecpar;
  return { codecId, size: `${width}x${height}`, packets, keys };
}

describe('push helpers, end to end (FFmpeg 8 RTMP listener)', { timeout: 30_000 }, () => {
  const cases: [string, number, (url: string) => Promise<PushHandle>, string | false][] = [
    [
      'pushWithNodeAv: HEVC as Enhanced RTMP',
      AV_CODEC_ID_HEVC,
      async (url) => {
        const clip = { codec: 'hevc', width: 642, height: 362, frames: 25, gop: 5 } as const;
        return pushWithNodeAv(await generateClip(clip), url, { realtime: false });
      },
      false,
    ],
    [
      'pushWithFfmpegCli: H.264',
      AV_CODEC_ID_H264,
      async (url) => {
        const clip = {
          codec: 'h264',
          width: 642,
          height: 362,
          frames: 25,
          gop: 5,
          bFrames: true,
        } as const;
        return pushWithFfmpegCli(await generateClip(clip), url, { realtime: false });
      },
      noFfmpeg,
    ],
    [
      'pushWithGstreamer: H.264',
      AV_CODEC_ID_H264,
      async (url) =>
        pushWithGstreamer(url, { frames: 25, gop: 5, width: 642, height: 362, realtime: false }),
      noGst,
    ],
  ];
  for (const [name, codecId, start, skip] of cases) {
    it(`${name} delivers every frame`, { skip }, async () => {
      const url = `rtmp://127.0.0.1:${await freePort()}/live/cam1`;
      const received = receiveRtmp(url);
      received.catch(() => {}); // reported below; avoids an unhandled rejection if push fails
      await sleep(300); // let the listener bind
      const push = await start(url);
      try {
        await push.done;
        assert.deepEqual(await received, { codecId, size: '642x362', packets: 25, keys: 5 });
      } finally {
        await push.stop();
      }
    });
  }
});
