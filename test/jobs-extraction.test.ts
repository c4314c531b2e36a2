import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { configureFfmpegLog } from '../src/capture/ffmpeg-log.js';
import { JobError } from '../src/jobs/job-errors.js';
import { resolveSettings } from '../src/jobs/snapshot-settings.js';
import { runSnapshotTask, type SnapshotTaskResult } from '../src/jobs/snapshot-task.js';
import { parseTemplateConfig } from '../src/jobs/template-config.js';
import { generateCodedClip, isBlack, readFrameNumber } from './support/job-media.js';
import { decodeJpeg, type DecodedImage } from './support/jpeg.js';

/**
 * The snapshot engine on generated clips whose frames carry their own number: which frame
 * each snapshot is (keyframe vs exact mode, several containers, no keyframe index), sprites
 * and their layout options, WebVTT tracks checked against the sprite geometry, black-frame
 * filtering, rotation, anamorphic pixels, and broken inputs.
 */

const FPS = 25;
const GOP = 25; // a keyframe every second
const FRAME_MS = 1000 / FPS;

let out: string;
before(async () => {
  configureFfmpegLog('info');
  out = await mkdtemp(join(tmpdir(), 'livesnap-jobs-'));
});
after(async () => {
  await rm(out, { recursive: true, force: true });
});

let run = 0;
async function task(
  input: string,
  config: Record<string, unknown>,
  object: string,
): Promise<SnapshotTaskResult & { dir: string; image(name: string): Promise<DecodedImage> }> {
  const dir = join(out, `run-${++run}`);
  configureFfmpegLog('info'); // quiet again after generating a clip
  const result = await runSnapshotTask({
    input,
    settings: resolveSettings(parseTemplateConfig(config)),
    object,
    jpegQuality: 90,
    sink: {
      put: async (name, bytes) => {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), bytes);
      },
    },
  });
  return { ...result, dir, image: async (name) => decodeJpeg(await readFile(join(dir, name))) };
}

async function frameNumbers(
  r: Awaited<ReturnType<typeof task>>,
): Promise<Array<number | undefined>> {
  const numbers = [];
  for (const name of r.images) numbers.push(readFrameNumber(await r.image(name)));
  return numbers;
}

/** Nearest keyframe (ties: the earlier one) of a clip with a keyframe every GOP frames. */
function nearestKeyframe(ms: number, last: number): number {
  const exact = ms / FRAME_MS / GOP;
  const lower = Math.floor(exact);
  const k = exact - lower <= 0.5 ? lower : lower + 1;
  return Math.min(k * GOP, last);
}

const TIMES = [0, 1000, 1480, 2520, 4000, 6200, 9960];

describe('frame selection', () => {
  const containers = [
    { container: 'mp4', bFrames: true },
    { container: 'flv', bFrames: true }, // no keyframe index
    { container: 'mpegts', bFrames: false }, // timestamp seeking
  ] as const;
  for (const { container, bFrames } of containers) {
    it(`${container}: intra takes the nearest keyframe, decoding only those`, async () => {
      const clip = await generateCodedClip({
        container,
        width: 160,
        height: 90,
        frames: 250,
        gop: GOP,
        bFrames,
      });
      for (const [i, t] of TIMES.entries()) {
        const r = await task(clip, { Type: 'Normal', Count: 1, Time: t }, `k${i}.jpg`);
        assert.deepEqual(await frameNumbers(r), [nearestKeyframe(t, 225)], `Time ${t}`);
        assert.equal(r.decode.decodedFrames, 1, 'one decode per snapshot');
      }
      const r = await task(clip, { Type: 'Normal', Count: 5, Interval: 2 }, 'all-{Count}.jpg');
      assert.deepEqual(await frameNumbers(r), [0, 50, 100, 150, 200]);
      assert.equal(r.decode.decodedFrames, 5);
      assert.ok(r.decode.readPackets < 250, `read ${r.decode.readPackets} packets of 250`);
    });

    it(`${container}: normal takes the exact frame, decoding from the previous keyframe`, async () => {
      const clip = await generateCodedClip({
        container,
        width: 160,
        height: 90,
        frames: 250,
        gop: GOP,
        bFrames,
      });
      const r = await task(
        clip,
        { Type: 'Normal', FrameType: 'normal', Count: 4, Time: 1480, Interval: 2.2 },
        'e-{Count}.jpg',
      );
      // 1480, 3680, 5880, 8080 ms → frames 37, 92, 147, 202
      assert.deepEqual(await frameNumbers(r), [37, 92, 147, 202]);
      // From each keyframe to the frame: at most a GOP (plus reordering) per snapshot.
      assert.ok(
        r.decode.decodedFrames <= 4 * (GOP + 3),
        `${r.decode.decodedFrames} frames decoded`,
      );
    });
  }

  it('hevc in matroska, both modes', async () => {
    const clip = await generateCodedClip({
      codec: 'hevc',
      container: 'matroska',
      width: 160,
      height: 96,
      frames: 100,
      gop: GOP,
      bFrames: true,
    });
    const intra = await task(clip, { Count: 3, Interval: 1.4 }, 'h-{Count}.jpg');
    assert.deepEqual(await frameNumbers(intra), [0, 25, 75]);
    const exact = await task(
      clip,
      { Count: 3, Interval: 1.4, FrameType: 'normal' },
      'x-{Count}.jpg',
    );
    assert.deepEqual(await frameNumbers(exact), [0, 35, 70]);
  });

  it('spreads Count evenly over the video without an Interval, at Width with the aspect kept', async () => {
    const clip = await generateCodedClip({
      width: 160,
      height: 90,
      frames: 250,
      gop: GOP,
      bFrames: true,
    });
    const r = await task(clip, { Count: 4, FrameType: 'normal', Width: 80 }, 'w-{Count}.jpg');
    assert.deepEqual(await frameNumbers(r), [0, 62, 125, 187]);
    const img = await r.image(r.images[0]!);
    assert.deepEqual([img.width, img.height], [80, 45]);
    const h = await task(clip, { Count: 1, Height: 60 }, 'h.jpg');
    const himg = await h.image('h.jpg');
    assert.deepEqual([himg.width, himg.height], [107, 60]);
    const both = await task(clip, { Count: 1, Width: 50, Height: 50 }, 'b.jpg');
    const bimg = await both.image('b.jpg');
    assert.deepEqual([bimg.width, bimg.height], [50, 50]);
  });
});

describe('sprites', () => {
  it('tiles cells with padding, margin, colour, columns and lines over several sheets', async () => {
    const clip = await generateCodedClip({ width: 160, height: 90, frames: 250, gop: GOP });
    const config = {
      Type: 'Sprite',
      Interval: 1,
      SpriteSnapshotConfig: {
        CellWidth: 64,
        Columns: 3,
        Lines: 2,
        Padding: 6,
        Margin: 4,
        Color: '#FF0000',
      },
    };
    const r = await task(clip, config, 'sprite/s-{TileCount}.jpg');
    assert.equal(r.count, 10);
    assert.deepEqual(r.images, ['sprite/s-00001.jpg', 'sprite/s-00002.jpg']);
    const cell = { w: 64, h: 36 }; // CellHeight from the aspect ratio
    assert.deepEqual(r.size, { width: 64, height: 36 });
    const width = 2 * 4 + 3 * 64 + 2 * 6;
    const height = 2 * 4 + 2 * 36 + 6;
    let frame = 0;
    for (const [sheetIndex, name] of r.images.entries()) {
      const sheet = await r.image(name);
      assert.deepEqual([sheet.width, sheet.height], [width, height]);
      // Margin and padding in the background colour.
      assert.ok(sheet.meanRgb(0, 0, 3, 3)[0] > 200 && sheet.meanRgb(0, 0, 3, 3)[1] < 60);
      const gap = sheet.meanRgb(4 + 64 + 1, 20, 4, 10);
      assert.ok(gap[0] > 200 && gap[1] < 60, `padding is red: ${gap}`);
      for (let i = 0; i < 6 && sheetIndex * 6 + i < 10; i++) {
        const x = 4 + (i % 3) * (cell.w + 6);
        const y = 4 + Math.floor(i / 3) * (cell.h + 6);
        assert.equal(
          readFrameNumber(sheet, { x, y, ...cell }),
          frame,
          `cell ${i} of sheet ${sheetIndex}`,
        );
        frame += 25;
      }
    }
    // The last sheet's unused cells are background.
    const last = await r.image(r.images[1]!);
    const unused = last.meanRgb(4 + 2 * 70 + 10, 4 + 42 + 10, 20, 10);
    assert.ok(unused[0] > 200 && unused[1] < 60, `unused cell is red: ${unused}`);
  });

  it('keeps default sheets within 4096 px and covers the video to its end', async () => {
    const clip = await generateCodedClip({ width: 640, height: 360, frames: 250, gop: GOP });
    const r = await task(clip, { Type: 'Sprite', Interval: 0.5 }, 's-{TileCount}.jpg');
    assert.equal(r.count, 20); // every 0.5 s to the end
    const sheet = await r.image(r.images[0]!);
    // 640 px cells: 6 fit in 4096; lines as needed for 20 pictures.
    assert.deepEqual([sheet.width, sheet.height], [6 * 640, 4 * 360]);
    assert.equal(readFrameNumber(sheet, { x: 1 * 640, y: 3 * 360, w: 640, h: 360 }), 225);
  });
});

interface Cue {
  start: number;
  end: number;
  url: string;
  xywh?: number[];
}

function parseVtt(text: string): Cue[] {
  assert.ok(text.startsWith('WEBVTT\n'), 'WEBVTT header');
  const ms = (t: string) => {
    const [h, m, s] = t.split(':');
    return (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  };
  const cues: Cue[] = [];
  for (const block of text.split('\n\n').slice(1)) {
    const lines = block.split('\n').filter(Boolean);
    if (lines.length === 0) continue;
    const timing = lines.find((l) => l.includes(' --> '))!;
    const [from, to] = timing.split(' --> ') as [string, string];
    const payload = lines[lines.indexOf(timing) + 1]!;
    const [url, fragment] = payload.split('#xywh=') as [string, string | undefined];
    cues.push({
      start: ms(from),
      end: ms(to),
      url,
      ...(fragment ? { xywh: fragment.split(',').map(Number) } : {}),
    });
  }
  return cues;
}

describe('WebVTT', () => {
  it('cues point into the sprite sheets, matching their geometry and times', async () => {
    const clip = await generateCodedClip({ width: 160, height: 90, frames: 250, gop: GOP });
    const config = {
      Type: 'WebVtt',
      Interval: 1,
      Width: 80,
      IsSptFrag: true,
      SpriteSnapshotConfig: { Columns: 4, Lines: 2, Padding: 2, Margin: 1 },
    };
    const r = await task(clip, config, 'vtt/thumbs.vtt');
    assert.equal(r.vtt, 'vtt/thumbs.vtt');
    assert.deepEqual(r.images, ['vtt/thumbs-00001.jpg', 'vtt/thumbs-00002.jpg']);
    const cues = parseVtt(await readFile(join(r.dir, 'vtt/thumbs.vtt'), 'utf8'));
    assert.equal(cues.length, 10);
    for (const [i, cue] of cues.entries()) {
      assert.equal(cue.start, i * 1000);
      assert.equal(cue.end, i === 9 ? 10_000 : (i + 1) * 1000, 'cues are contiguous to the end');
      assert.equal(cue.url, `thumbs-0000${Math.floor(i / 8) + 1}.jpg`);
      const [x, y, w, h] = cue.xywh!;
      const within = i % 8;
      assert.deepEqual(
        [x, y, w, h],
        [1 + (within % 4) * 82, 1 + Math.floor(within / 4) * 47, 80, 45],
      );
      const sheet = await r.image(`vtt/${cue.url}`);
      assert.ok(x! + w! <= sheet.width && y! + h! <= sheet.height);
      assert.equal(readFrameNumber(sheet, { x: x!, y: y!, w: w!, h: h! }), i * 25, `cue ${i}`);
    }
  });

  it('one image per cue without IsSptFrag', async () => {
    const clip = await generateCodedClip({ width: 160, height: 90, frames: 250, gop: GOP });
    const r = await task(
      clip,
      { Type: 'WebVtt', Interval: 3, FrameType: 'normal', Time: 500 },
      'v.vtt',
    );
    const cues = parseVtt(await readFile(join(r.dir, 'v.vtt'), 'utf8'));
    assert.deepEqual(
      cues.map((c) => [c.start, c.end, c.url, c.xywh]),
      [
        [500, 3500, 'v-00001.jpg', undefined],
        [3500, 6500, 'v-00002.jpg', undefined],
        [6500, 9500, 'v-00003.jpg', undefined],
        [9500, 10000, 'v-00004.jpg', undefined],
      ],
    );
    assert.deepEqual(await frameNumbers(r), [12, 87, 162, 237]);
  });
});

describe('black frames', () => {
  it('skips black frames at the start (keyframes in intra mode, frames in normal mode)', async () => {
    const clip = await generateCodedClip({
      width: 160,
      height: 90,
      frames: 250,
      gop: GOP,
      blackFrames: 30,
      blackRange: [125, 160],
    });
    const plain = await task(clip, { Count: 3, Interval: 3 }, 'p-{Count}.jpg');
    assert.ok(isBlack(await plain.image(plain.images[0]!)), 'without filtering the first is black');
    const intra = await task(
      clip,
      { Count: 3, Interval: 3, BlackLevel: 90, PixelBlackThreshold: 40 },
      'i-{Count}.jpg',
    );
    // 0 → keyframes 0 and 25 are black → 50; 3000 → 75; 6000 → keyframe 150 is black, kept.
    assert.deepEqual(await frameNumbers(intra), [50, 75, undefined]);
    const exact = await task(
      clip,
      { Count: 3, Interval: 3, FrameType: 'normal', BlackLevel: 90 },
      'n-{Count}.jpg',
    );
    assert.deepEqual((await frameNumbers(exact)).slice(0, 2), [30, 75]);
    // Only the first snapshot is filtered (spec); BlackFilter=All (livesnap) filters every one.
    const all = await task(
      clip,
      {
        Count: 3,
        Interval: 3,
        FrameType: 'normal',
        BlackLevel: 90,
        BlackFilter: 'All',
        Time: 1000,
      },
      'a-{Count}.jpg',
    );
    // 1000 → black until 30; 4000 → fine (100); 7000 → fine (175).
    assert.deepEqual(await frameNumbers(all), [30, 100, 175]);
    const mid = await task(
      clip,
      {
        Count: 2,
        Interval: 1,
        FrameType: 'normal',
        BlackLevel: 90,
        BlackFilter: 'All',
        Time: 5200,
      },
      'm-{Count}.jpg',
    );
    // 5200 → frame 130, black until 160: the search stops at the next time (6200 ms, frame
    // 155) and keeps the black frame; 6200 → frame 155 → the first good frame, 160.
    assert.deepEqual(await frameNumbers(mid), [undefined, 160]);
  });
});

describe('display geometry', () => {
  it('turns rotated video upright', async () => {
    const clip = await generateCodedClip({
      width: 160,
      height: 96,
      frames: 50,
      gop: GOP,
      rotation: 90,
    });
    const r = await task(clip, { Count: 1, Time: 1000 }, 'rot.jpg');
    const img = await r.image('rot.jpg');
    assert.deepEqual([img.width, img.height], [96, 160]);
    // Turned clockwise: the marker cell (coded top-left) is now top-right.
    const back = rotateBack(img);
    assert.equal(readFrameNumber(back), 25);
  });

  it('gives anamorphic video its display aspect ratio', async () => {
    const clip = await generateCodedClip({
      width: 160,
      height: 90,
      frames: 50,
      gop: GOP,
      sar: [2, 1],
    });
    const r = await task(clip, { Count: 1 }, 'wide.jpg');
    const img = await r.image('wide.jpg');
    assert.deepEqual([img.width, img.height], [320, 90]);
    assert.equal(readFrameNumber(img), 0);
    const half = await task(clip, { Count: 1, Width: 160 }, 'half.jpg');
    const himg = await half.image('half.jpg');
    assert.deepEqual([himg.width, himg.height], [160, 45]);
  });
});

/** The image turned counter-clockwise by 90° (undoes a clockwise display rotation). */
function rotateBack(img: DecodedImage): DecodedImage {
  const w = img.height;
  const h = img.width;
  const rgb = Buffer.alloc(img.rgb.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Turning clockwise moved coded (x, y) to (H − 1 − y, x), H the coded height.
      const [r, g, b] = img.rgbAt(img.width - 1 - y, x);
      const i = (y * w + x) * 3;
      rgb[i] = r;
      rgb[i + 1] = g;
      rgb[i + 2] = b;
    }
  }
  const mean = (x0: number, y0: number, ww: number, hh: number): [number, number, number] => {
    const sum = [0, 0, 0];
    for (let y = y0; y < y0 + hh; y++) {
      for (let x = x0; x < x0 + ww; x++) {
        const i = (y * w + x) * 3;
        sum[0]! += rgb[i]!;
        sum[1]! += rgb[i + 1]!;
        sum[2]! += rgb[i + 2]!;
      }
    }
    return sum.map((s) => Math.round(s / (ww * hh))) as [number, number, number];
  };
  return {
    width: w,
    height: h,
    rgb,
    rgbAt: (x, y) => [rgb[(y * w + x) * 3]!, rgb[(y * w + x) * 3 + 1]!, rgb[(y * w + x) * 3 + 2]!],
    meanRgb: mean,
  };
}

describe('broken inputs', () => {
  async function fails(input: string, code: string, message: RegExp): Promise<void> {
    await assert.rejects(
      task(input, { Count: 3, Interval: 1 }, 'x-{Count}.jpg'),
      (err: unknown) => {
        assert.ok(err instanceof JobError, String(err));
        assert.equal(err.jobCode, code);
        assert.match(err.message, message);
        return true;
      },
    );
  }

  it('fails clearly on garbage, truncated and damaged files', async () => {
    const garbage = join(out, 'garbage.mp4');
    await writeFile(garbage, Buffer.alloc(64 * 1024, 0x5a));
    await fails(garbage, 'InputUnreadable', /cannot (open|read) the input/);
    await fails(join(out, 'missing.mp4'), 'InputUnreadable', /cannot open the input/);

    const mp4 = await generateCodedClip({ width: 160, height: 90, frames: 100, gop: GOP });
    const bytes = await readFile(mp4);
    const cut = join(out, 'cut.mp4');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2))); // index at the end: lost
    await fails(cut, 'InputUnreadable', /cannot (open|read) the input/);

    const flv = await generateCodedClip({
      container: 'flv',
      width: 160,
      height: 90,
      frames: 100,
      gop: GOP,
    });
    const flvBytes = await readFile(flv);
    const cutFlv = join(out, 'cut.flv');
    await writeFile(cutFlv, flvBytes.subarray(0, Math.floor(flvBytes.length * 0.3)));
    await assert.rejects(
      task(cutFlv, { Count: 3, Interval: 1.5 }, 'f-{Count}.jpg'),
      (err: unknown) => err instanceof JobError && /truncated|damaged/.test(err.message),
    );
  });

  it('fails on damaged frames it has to decode, not on those it skips', async () => {
    const mp4 = await generateCodedClip({ width: 160, height: 90, frames: 100, gop: GOP });
    const bytes = Buffer.from(await readFile(mp4));
    // Garbage over the P-frames after the second keyframe.
    const at = Math.floor(bytes.length * 0.3);
    for (let i = 0; i < 2000; i++) bytes[at + i] = (i * 7919) & 0xff;
    const damaged = join(out, 'damaged.mp4');
    await writeFile(damaged, bytes);
    await assert.rejects(
      task(damaged, { Count: 2, Time: 1400, Interval: 1, FrameType: 'normal' }, 'd-{Count}.jpg'),
      (err: unknown) =>
        err instanceof JobError && err.jobCode === 'DecodeFailed' && /damaged/.test(err.message),
    );
    // Keyframe mode never decodes the damaged (non-key) frames.
    const r = await task(damaged, { Count: 4, Interval: 1 }, 'k-{Count}.jpg');
    assert.deepEqual(await frameNumbers(r), [0, 25, 50, 75]);
  });

  it('fails on a file that is not video', async () => {
    const text = join(out, 'notes.txt');
    await writeFile(text, 'just some text\n'.repeat(100));
    await fails(text, 'InputUnreadable', /cannot (open|read) the input/);
    assert.ok((await stat(text)).size > 0);
  });
});
