import { JobError, JobErrorCode } from './job-errors.js';
import { FILE_PROTOCOLS } from './job-storage.js';
import { JpegEncoderPool } from './jpeg-encoder.js';
import {
  SinglesWriter,
  SpriteWriter,
  VTT_TYPE,
  webVttTrack,
  type OutputSink,
  type PictureWriter,
  type ThumbnailPlace,
} from './output-writers.js';
import { closeSources, extractPictures, moreSourcesFor } from './snapshot-extractor.js';
import { MAX_PICTURE_PIXELS, snapshotSize, spriteLayout, type Size } from './snapshot-geometry.js';
import { planSnapshots } from './snapshot-plan.js';
import { usesSprites, type SnapshotSettings } from './snapshot-settings.js';
import { SnapshotType } from './template-config.js';
import { sumStats, VideoSource, type VideoSourceStats } from './video-source.js';

export interface SnapshotTaskOptions {
  /** A file path or a URL FFmpeg can read. */
  readonly input: string;
  readonly settings: SnapshotSettings;
  /** The Output object name (with `{Count}` / `{TileCount}`, or ending in `.vtt`). */
  readonly object: string;
  readonly sink: OutputSink;
  readonly jpegQuality: number;
  readonly signal?: AbortSignal;
  readonly ioTimeoutMs?: number;
  /** FFmpeg protocols the input may use. */
  readonly protocols?: string;
  /** Called after each stored image (progress, cleanup bookkeeping). */
  readonly onImage?: (object: string) => void | Promise<void>;
}

export interface SnapshotTaskResult {
  /** Images in order: snapshots, sprite sheets or WebVtt thumbnails. */
  readonly images: readonly string[];
  /** The WebVtt track, for WebVtt jobs. */
  readonly vtt?: string;
  /** Pictures taken. */
  readonly count: number;
  /** Size of a snapshot (or sprite cell). */
  readonly size: Size;
  /** Actual times of the pictures used, ms. */
  readonly pictureTimes: readonly number[];
  /** What was read and decoded. */
  readonly decode: VideoSourceStats;
}

/**
 * One snapshot job's work, independent of queues and the catalog: open the input, plan the
 * times, take the pictures and write the images (and the .vtt) to the sink.
 */
export async function runSnapshotTask(o: SnapshotTaskOptions): Promise<SnapshotTaskResult> {
  const { settings } = o;
  const open = (): Promise<VideoSource> =>
    VideoSource.open(o.input, {
      mode: settings.frameType === 'normal' ? 'normal' : 'intra',
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.ioTimeoutMs !== undefined ? { ioTimeoutMs: o.ioTimeoutMs } : {}),
      ...(o.protocols ? { protocols: o.protocols } : {}),
    });
  const source = await open();
  const more: VideoSource[] = [];
  const jpeg = new JpegEncoderPool(o.jpegQuality);
  try {
    const info = source.info;
    const plan = planSnapshots(settings, info.durationMs);
    more.push(
      ...(await moreSourcesFor({
        plan,
        frameType: settings.frameType,
        local: o.protocols === FILE_PROTOCOLS,
        open,
      })),
    );
    const display = { width: info.displayWidth, height: info.displayHeight };
    const size = snapshotSize(display, settings.width, settings.height);
    checkPixels(size, 'the snapshot');
    const writerOptions = {
      type: settings.type,
      object: o.object,
      sink: o.sink,
      jpeg,
      ...(o.onImage ? { onImage: o.onImage } : {}),
    };
    let writer: PictureWriter & { place(index: number): ThumbnailPlace };
    let cellSize = size;
    if (usesSprites(settings)) {
      const total = plan.untilEnd ? undefined : plan.times.length;
      const layout = spriteLayout(settings.sprite, size, total);
      checkPixels({ width: layout.sheetWidth, height: layout.sheetHeight }, 'a sprite sheet');
      cellSize = { width: layout.cellWidth, height: layout.cellHeight };
      writer = new SpriteWriter(writerOptions, layout, total);
    } else {
      writer = new SinglesWriter(writerOptions, size);
    }
    const result = await extractPictures({
      source,
      moreSources: more,
      plan,
      frameType: settings.frameType,
      black: settings.black,
      writers: [writer],
      ...(o.signal ? { signal: o.signal } : {}),
    });
    let vtt: string | undefined;
    if (settings.type === SnapshotType.WebVtt) {
      const places = result.times.map((_, i) => writer.place(i));
      const last = result.times[result.times.length - 1]!;
      const endMs = plan.untilEnd ? last + (settings.intervalMs ?? 0) : plan.endMs;
      await o.sink.put(o.object, webVttTrack(result.times, endMs, places), VTT_TYPE);
      vtt = o.object;
    }
    return {
      images: writer.images,
      count: result.times.length,
      size: cellSize,
      pictureTimes: result.pictureTimes,
      decode: sumStats([source, ...more].map((x) => x.stats)),
      ...(vtt ? { vtt } : {}),
    };
  } finally {
    jpeg.close();
    await closeSources([source, ...more]);
  }
}

function checkPixels(size: Size, what: string): void {
  if (size.width * size.height > MAX_PICTURE_PIXELS) {
    throw new JobError(
      JobErrorCode.InvalidTemplate,
      `${what} would be ${size.width} × ${size.height} pixels, more than livesnap builds`,
    );
  }
}
