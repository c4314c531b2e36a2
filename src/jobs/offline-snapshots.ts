import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { JpegEncoderPool } from './jpeg-encoder.js';
import { SinglesWriter, SpriteWriter, type OutputSink } from './output-writers.js';
import { closeSources, extractPictures, moreSourcesFor } from './snapshot-extractor.js';
import { snapshotSize, spriteLayout } from './snapshot-geometry.js';
import { planSnapshots } from './snapshot-plan.js';
import { resolveSettings } from './snapshot-settings.js';
import { FrameType, SnapshotType } from './template-config.js';
import { VideoSource } from './video-source.js';

/** The benchmark's offline scenario (DESIGN.md §5), run by the job engine. */
export interface OfflineScenario {
  /** The video file. */
  readonly file: string;
  /** Snapshots, spread evenly over the video. */
  readonly count: number;
  /** Sprite grid: columns × lines. */
  readonly tile: readonly [number, number];
  /** Sprite cell size. */
  readonly tileSize: readonly [number, number];
  /** Where `single-001.jpg`… and `sprite-00001.jpg` are written. */
  readonly outDir: string;
  readonly jpegQuality?: number;
  /** intra (default): nearest keyframes; normal: exact frames. */
  readonly frameType?: FrameType;
}

export interface OfflineScenarioResult {
  readonly singles: number;
  readonly sheets: number;
  readonly wallS: number;
  /** CPU seconds of this process (all threads) during the run. */
  readonly cpuS: number;
}

const DEFAULT_QUALITY = 85;

/**
 * `count` full-size snapshots and a `tile` sprite of the same pictures from one file, as
 * two snapshot jobs would make them, but sharing each decoded picture between both outputs
 * (what `ffmpeg … split` does in the baselines). For `npm run bench`; measures its own wall
 * time and process CPU.
 */
export async function runOfflineScenario(s: OfflineScenario): Promise<OfflineScenarioResult> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const frameType = s.frameType ?? FrameType.Intra;
  const quality = s.jpegQuality ?? DEFAULT_QUALITY;
  const sink: OutputSink = {
    put: async (object, bytes) => {
      const path = join(s.outDir, object);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
    },
  };
  const settings = resolveSettings({
    Type: SnapshotType.Normal,
    FrameType: frameType,
    Count: s.count,
  });
  const source = await VideoSource.open(s.file, { mode: frameType, protocols: 'file' });
  const more: VideoSource[] = [];
  const jpeg = new JpegEncoderPool(quality);
  try {
    const plan = planSnapshots(settings, source.info.durationMs);
    // As runSnapshotTask does for a local file: a second decoder takes half the pictures.
    more.push(
      ...(await moreSourcesFor({
        plan,
        frameType,
        local: true,
        open: () => VideoSource.open(s.file, { mode: frameType, protocols: 'file' }),
      })),
    );
    const display = { width: source.info.displayWidth, height: source.info.displayHeight };
    const singles = new SinglesWriter(
      {
        type: SnapshotType.Normal,
        object: 'single-{Count}.jpg',
        sink,
        jpeg,
      },
      snapshotSize(display, undefined, undefined),
    );
    const layout = spriteLayout(
      {
        cellWidth: s.tileSize[0],
        cellHeight: s.tileSize[1],
        padding: 0,
        margin: 0,
        columns: s.tile[0],
        lines: s.tile[1],
        colour: [0, 0, 0],
      },
      display,
      plan.times.length,
    );
    const sprite = new SpriteWriter(
      { type: SnapshotType.Sprite, object: 'sprite-{TileCount}.jpg', sink, jpeg },
      layout,
      plan.times.length,
    );
    await extractPictures({
      source,
      moreSources: more,
      plan,
      frameType,
      black: undefined,
      writers: [singles, sprite],
    });
    const used = process.cpuUsage(cpu);
    return {
      singles: singles.images.length,
      sheets: sprite.images.length,
      wallS: (performance.now() - started) / 1000,
      cpuS: (used.user + used.system) / 1e6,
    };
  } finally {
    jpeg.close();
    await closeSources([source, ...more]);
  }
}
