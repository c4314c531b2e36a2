import { parseColour, type Rgb } from './rgb-image.js';
import {
  BlackFilter,
  FrameType,
  SnapshotType,
  TemplateConfigError,
  type TemplateConfig,
} from './template-config.js';

/** What a job does, with every default filled in (from the effective TemplateConfig). */
export interface SnapshotSettings {
  readonly type: SnapshotType;
  readonly frameType: FrameType;
  readonly timeMs: number;
  /** Snapshots wanted; undefined = as many as fit (Sprite/WebVtt without Count). */
  readonly count: number | undefined;
  /** Spacing; undefined = spread evenly over the video. */
  readonly intervalMs: number | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  /** Black-frame filtering, when asked for. */
  readonly black: BlackFrameRule | undefined;
  /** WebVtt: thumbnails stitched into sprites (true) or one image per cue. */
  readonly spriteFragments: boolean;
  readonly sprite: SpriteSettings;
}

export interface BlackFrameRule {
  /** A frame is black when at least this share of its pixels (percent) is black. */
  readonly level: number;
  /** A pixel is black when its luma (0–255) is below this. */
  readonly pixelThreshold: number;
  /** First: only the first snapshot (spec); All: every snapshot (livesnap). */
  readonly scope: BlackFilter;
}

export interface SpriteSettings {
  readonly cellWidth: number | undefined;
  readonly cellHeight: number | undefined;
  readonly padding: number;
  readonly margin: number;
  readonly columns: number | undefined;
  readonly lines: number | undefined;
  readonly colour: Rgb;
}

/** Defaults where the spec gives none (documented in README "Snapshot jobs"). */
export const SETTINGS_DEFAULTS = {
  blackLevel: 100,
  pixelBlackThreshold: 30,
  /** WebVtt without Count or Interval: one thumbnail every 10 s. */
  webVttIntervalMs: 10_000,
  colour: [0, 0, 0] as Rgb,
} as const;

const MS_PER_S = 1000;

/**
 * Resolves the effective TemplateConfig. Throws TemplateConfigError for combinations the
 * job could not run (a Normal job without a Count).
 */
export function resolveSettings(config: TemplateConfig): SnapshotSettings {
  const type = config.Type ?? SnapshotType.Normal;
  const count = config.Count !== undefined && config.Count > 0 ? config.Count : undefined;
  if (type === SnapshotType.Normal && count === undefined) {
    throw new TemplateConfigError('Count', 'a Normal snapshot needs a Count of at least 1');
  }
  const intervalMs =
    config.Interval !== undefined && config.Interval > 0
      ? Math.round(config.Interval * MS_PER_S)
      : undefined;
  const filtering = config.BlackLevel !== undefined || config.PixelBlackThreshold !== undefined;
  // The spec applies the filter to multi-frame jobs only.
  const black: BlackFrameRule | undefined =
    filtering && (count !== 1 || config.BlackFilter === BlackFilter.All)
      ? {
          level: config.BlackLevel ?? SETTINGS_DEFAULTS.blackLevel,
          pixelThreshold: config.PixelBlackThreshold ?? SETTINGS_DEFAULTS.pixelBlackThreshold,
          scope: config.BlackFilter ?? BlackFilter.First,
        }
      : undefined;
  const s = config.SpriteSnapshotConfig ?? {};
  const positive = (v: number | undefined) => (v !== undefined && v > 0 ? v : undefined);
  return {
    type,
    frameType: config.FrameType ?? FrameType.Intra,
    timeMs: config.Time ?? 0,
    count,
    intervalMs,
    width: positive(config.Width),
    height: positive(config.Height),
    black,
    spriteFragments: config.IsSptFrag ?? false,
    sprite: {
      cellWidth: positive(s.CellWidth),
      cellHeight: positive(s.CellHeight),
      padding: s.Padding ?? 0,
      margin: s.Margin ?? 0,
      columns: s.Columns,
      lines: s.Lines,
      colour:
        (s.Color !== undefined ? parseColour(s.Color) : undefined) ?? SETTINGS_DEFAULTS.colour,
    },
  };
}

/** Whether the job's outputs are sprite sheets (Sprite, or WebVtt with IsSptFrag). */
export function usesSprites(s: SnapshotSettings): boolean {
  return s.type === SnapshotType.Sprite || (s.type === SnapshotType.WebVtt && s.spriteFragments);
}
