import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Frame } from 'node-av/lib';
import { JobError, JobErrorCode } from './job-errors.js';
import type { PictureWriter } from './output-writers.js';
import type { PictureView } from './picture-view.js';
import { extractPictures, moreSourcesFor, PICTURES_PER_SOURCE } from './snapshot-extractor.js';
import { FrameType } from './template-config.js';
import type { VideoSource } from './video-source.js';

/** A source that hands out keyframes at whole seconds and records what it was asked. */
function fakeSource(failAt?: number): { source: VideoSource; asked: number[]; freed: number[] } {
  const asked: number[] = [];
  const freed: number[] = [];
  const source = {
    info: { displayWidth: 16, displayHeight: 16, transform: { rotate: 0, flip: false } },
    keyframeNear: async (ms: number) => {
      asked.push(ms);
      await new Promise((r) => setImmediate(r));
      if (ms === failAt) throw new JobError(JobErrorCode.DecodeFailed, `bad picture at ${ms}`);
      const timeMs = Math.round(ms / 1000) * 1000;
      return { timeMs, frame: { free: () => freed.push(timeMs) } as unknown as Frame };
    },
  } as unknown as VideoSource;
  return { source, asked, freed };
}

function recorder(): PictureWriter & { got: Array<[number, number]>; finished: number } {
  const w = {
    images: [] as string[],
    got: [] as Array<[number, number]>,
    finished: 0,
    accept: async (index: number, view: PictureView) => {
      w.got.push([index, view.timeMs]);
    },
    finish: async () => {
      w.finished++;
    },
  };
  return w;
}

const plan = (n: number) => ({
  times: Array.from({ length: n }, (_, i) => i * 6000),
  untilEnd: false,
  endMs: n * 6000,
});

describe('extractPictures with more than one source', () => {
  it('splits a known plan into contiguous parts, one per source, all in plan order', async () => {
    const a = fakeSource();
    const b = fakeSource();
    const w = recorder();
    const n = 2 * PICTURES_PER_SOURCE + 3;
    const result = await extractPictures({
      source: a.source,
      moreSources: [b.source],
      plan: plan(n),
      frameType: FrameType.Intra,
      black: undefined,
      writers: [w],
    });
    const half = Math.ceil(n / 2);
    assert.deepEqual(a.asked, plan(n).times.slice(0, half));
    assert.deepEqual(b.asked, plan(n).times.slice(half));
    assert.deepEqual(result.times, plan(n).times);
    assert.deepEqual(
      w.got.sort((x, y) => x[0] - y[0]),
      plan(n).times.map((t, i) => [i, t]),
    );
    assert.equal(w.finished, 1);
    assert.equal(a.freed.length + b.freed.length, n);
  });

  it('keeps one source for a short plan or one that runs to the end', async () => {
    for (const p of [plan(2 * PICTURES_PER_SOURCE - 1), { ...plan(40), untilEnd: true }]) {
      const a = fakeSource();
      const b = fakeSource();
      await extractPictures({
        source: a.source,
        moreSources: [b.source],
        plan: p,
        frameType: FrameType.Intra,
        black: undefined,
        writers: [recorder()],
      });
      assert.equal(a.asked.length, p.times.length);
      assert.equal(b.asked.length, 0);
    }
  });

  it("a part's failure fails the whole and stops the other part; every picture is freed", async () => {
    const n = 4 * PICTURES_PER_SOURCE;
    const a = fakeSource();
    const b = fakeSource(plan(n).times[n / 2 + 1]);
    const w = recorder();
    await assert.rejects(
      extractPictures({
        source: a.source,
        moreSources: [b.source],
        plan: plan(n),
        frameType: FrameType.Intra,
        black: undefined,
        writers: [w],
      }),
      /bad picture/,
    );
    assert.ok(a.asked.length < n / 2, `the first part went on: ${a.asked.length}`);
    assert.equal(w.finished, 0);
    assert.equal(a.freed.length + b.freed.length, w.got.length);
  });

  it('a second decoder only for a long keyframe plan on a local file, and never at any cost', async () => {
    const extra = fakeSource().source;
    const open = async () => extra;
    const long = plan(2 * PICTURES_PER_SOURCE);
    const base = { plan: long, frameType: FrameType.Intra, local: true, open };
    assert.deepEqual(await moreSourcesFor(base), [extra]);
    assert.deepEqual(await moreSourcesFor({ ...base, frameType: FrameType.Normal }), []);
    assert.deepEqual(await moreSourcesFor({ ...base, local: false }), []);
    assert.deepEqual(
      await moreSourcesFor({ ...base, plan: plan(2 * PICTURES_PER_SOURCE - 1) }),
      [],
    );
    assert.deepEqual(await moreSourcesFor({ ...base, plan: { ...long, untilEnd: true } }), []);
    const failing = async (): Promise<VideoSource> => {
      throw new JobError(JobErrorCode.DecodeFailed, 'too many open files');
    };
    assert.deepEqual(await moreSourcesFor({ ...base, open: failing }), []);
  });
});
