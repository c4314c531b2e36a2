import { JobError, JobErrorCode } from './job-errors.js';
import type { PictureWriter } from './output-writers.js';
import { PictureView } from './picture-view.js';
import { BlackFilter, FrameType } from './template-config.js';
import type { BlackFrameRule } from './snapshot-settings.js';
import type { SnapshotPlan } from './snapshot-plan.js';
import type { Picture, VideoSource } from './video-source.js';

/** Pictures being written while the next one is decoded. */
const IN_FLIGHT = 4;
/** Frames (or keyframes) looked at past a black one before giving up. */
const MAX_BLACK_SKIPS = 500;
/** With an unknown length: a picture this far before its time means the video has ended. */
const END_GAP_MS = 10_000;

/** Fewest pictures per decoder worth a decoder of its own. */
export const PICTURES_PER_SOURCE = 8;

/**
 * The second decoder for a plan worth splitting: keyframe mode (in normal mode the decoder
 * already uses every core), a local file (a network input would be read twice), a known
 * length and enough pictures. Only a speed-up: when it cannot be opened, one decoder does
 * it all.
 */
export async function moreSourcesFor(o: {
  readonly plan: SnapshotPlan;
  readonly frameType: FrameType;
  readonly local: boolean;
  readonly open: () => Promise<VideoSource>;
}): Promise<VideoSource[]> {
  const worth =
    o.frameType === FrameType.Intra &&
    o.local &&
    !o.plan.untilEnd &&
    o.plan.times.length >= 2 * PICTURES_PER_SOURCE;
  if (!worth) return [];
  try {
    return [await o.open()];
  } catch {
    return [];
  }
}

/** Closes every source, even when one fails to close; rethrows the first failure. */
export async function closeSources(sources: readonly VideoSource[]): Promise<void> {
  const results = await Promise.allSettled(sources.map((x) => x.close()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export interface ExtractOptions {
  readonly source: VideoSource;
  /**
   * More sources opened on the same input: when the plan's length is known, its times are
   * split into contiguous parts, one per source, decoded at the same time (one picture after
   * another is the critical path of a job: two decoders take a 100-picture job from 1.7 to
   * 1.2 s on 2 cores). Ignored for plans that run until the video ends.
   */
  readonly moreSources?: readonly VideoSource[];
  readonly plan: SnapshotPlan;
  readonly frameType: FrameType;
  readonly black: BlackFrameRule | undefined;
  readonly writers: readonly PictureWriter[];
  readonly signal?: AbortSignal;
}

export interface ExtractResult {
  /** The plan times pictures were taken for (all of them unless the video ended first). */
  readonly times: readonly number[];
  /** The times of the pictures actually used (keyframe or black-frame skips move them). */
  readonly pictureTimes: readonly number[];
}

/**
 * Takes the plan's pictures from the source (and `moreSources`, each decoding its own part
 * of the plan) and hands each to every writer: decoding the next picture overlaps the JPEG
 * encoding and storing of the previous ones (at most IN_FLIGHT pictures are held per
 * source). Black-frame filtering replaces a black picture by the next
 * keyframe (intra) or frame (normal) that is not black, without passing the next planned
 * time. A writer's failure stops extraction and is rethrown once the pictures in flight
 * have settled.
 */
export async function extractPictures(o: ExtractOptions): Promise<ExtractResult> {
  const { plan } = o;
  const n = plan.times.length;
  const sources = plan.untilEnd
    ? [o.source]
    : [o.source, ...(o.moreSources ?? [])].slice(
        0,
        Math.max(1, Math.floor(n / PICTURES_PER_SOURCE)),
      );
  const state: ExtractState = { times: [], pictureTimes: [], failure: undefined };
  const per = Math.ceil(n / sources.length);
  await Promise.all(
    sources.map((source, k) =>
      extractRange(o, source, k * per, Math.min(n, (k + 1) * per), state).catch((err: unknown) => {
        state.failure ??= err;
      }),
    ),
  );
  if (state.failure !== undefined) throw state.failure;
  // Parts end together only when none ran out early (only a plan until the end does).
  const times = state.times.filter((t) => t !== undefined);
  const pictureTimes = state.pictureTimes.filter((t) => t !== undefined);
  if (times.length === 0) {
    throw new JobError(JobErrorCode.NoFrames, 'the video has no frame at the requested times');
  }
  for (const w of o.writers) await w.finish();
  return { times, pictureTimes };
}

interface ExtractState {
  /** By plan index. */
  readonly times: number[];
  readonly pictureTimes: number[];
  /** The first error of any part: the others stop at their next picture. */
  failure: unknown;
}

/** Plan pictures [from, to) taken from `source`, handed to the writers. */
async function extractRange(
  o: ExtractOptions,
  source: VideoSource,
  from: number,
  to: number,
  state: ExtractState,
): Promise<void> {
  const { plan } = o;
  const display = { width: source.info.displayWidth, height: source.info.displayHeight };
  const inFlight = new Set<Promise<void>>();

  const handOver = (index: number, view: PictureView): void => {
    const done = Promise.all(o.writers.map((w) => w.accept(index, view)))
      .then(() => undefined)
      .catch((err: unknown) => {
        state.failure ??= err;
      })
      .finally(() => {
        view.release();
        inFlight.delete(done);
      });
    inFlight.add(done);
  };

  try {
    for (let i = from; i < to && state.failure === undefined; i++) {
      if (o.signal?.aborted) throw o.signal.reason;
      const target = plan.times[i]!;
      let picture: Picture;
      try {
        picture =
          o.frameType === FrameType.Normal
            ? await source.frameAt(target)
            : await source.keyframeNear(target);
      } catch (err) {
        if (
          plan.untilEnd &&
          i > 0 &&
          err instanceof JobError &&
          err.jobCode === JobErrorCode.NoFrames
        ) {
          break;
        }
        throw err;
      }
      let view = new PictureView(picture, source.info.transform, display);
      if (plan.untilEnd && i > 0 && target - view.timeMs > END_GAP_MS) {
        view.release();
        break;
      }
      if (o.black && (o.black.scope === BlackFilter.All || i === 0)) {
        const limit = plan.times[i + 1] ?? plan.endMs;
        view = await skipBlack(o, source, view, o.black, limit, display);
      }
      state.times[i] = target;
      state.pictureTimes[i] = view.timeMs;
      handOver(i, view);
      while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    }
  } finally {
    await Promise.allSettled([...inFlight]);
  }
}

/**
 * The first picture from `view` on that is not black, looking no further than `limitMs`.
 * When there is none, the original picture is kept.
 */
async function skipBlack(
  o: ExtractOptions,
  source: VideoSource,
  view: PictureView,
  rule: BlackFrameRule,
  limitMs: number,
  display: { width: number; height: number },
): Promise<PictureView> {
  let current = view;
  for (let skips = 0; skips < MAX_BLACK_SKIPS; skips++) {
    if ((await current.blackPercent(rule.pixelThreshold)) < rule.level) {
      if (current !== view) view.release();
      return current;
    }
    if (o.signal?.aborted) break;
    const next =
      o.frameType === FrameType.Normal
        ? await source.nextFrame()
        : await source.keyframeAfter(current.timeMs);
    if (current !== view) current.release();
    if (!next || next.timeMs >= limitMs) {
      next?.frame.free();
      return view;
    }
    current = new PictureView(next, source.info.transform, display);
  }
  if (current !== view) current.release();
  return view;
}
