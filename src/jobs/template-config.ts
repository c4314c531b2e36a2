import { LivesnapError } from '../errors.js';
import { parseColour } from './rgb-image.js';

/**
 * Snapshot template configuration as the wire carries it (spec §3.5 TemplateConfig, §3.1
 * OverwriteParams): PascalCase JSON. Templates store it in this form and jobs record the
 * effective one (template merged with the overrides), which GetSnapshotJob returns as text.
 * Unknown keys are dropped; values are checked and normalised (names as the spec spells
 * them, numbers as numbers).
 */

export const SnapshotType = { Normal: 'Normal', Sprite: 'Sprite', WebVtt: 'WebVtt' } as const;
export type SnapshotType = (typeof SnapshotType)[keyof typeof SnapshotType];
export const SNAPSHOT_TYPES: readonly SnapshotType[] = Object.values(SnapshotType);

export const FrameType = { Intra: 'intra', Normal: 'normal' } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** livesnap extension: where black frames are skipped (the spec: the first snapshot only). */
export const BlackFilter = { First: 'First', All: 'All' } as const;
export type BlackFilter = (typeof BlackFilter)[keyof typeof BlackFilter];

export interface SpriteSnapshotConfig {
  CellWidth?: number;
  CellHeight?: number;
  Padding?: number;
  Margin?: number;
  Columns?: number;
  Lines?: number;
  Color?: string;
}

export interface TemplateConfig {
  Type?: SnapshotType;
  FrameType?: FrameType;
  /** Start offset, ms. */
  Time?: number;
  Count?: number;
  /** Seconds between snapshots. */
  Interval?: number;
  Width?: number;
  Height?: number;
  BlackLevel?: number;
  PixelBlackThreshold?: number;
  IsSptFrag?: boolean;
  SpriteSnapshotConfig?: SpriteSnapshotConfig;
  BlackFilter?: BlackFilter;
}

/** Limits of the numeric fields. */
export const TEMPLATE_LIMITS = {
  /** Ten days, in ms. */
  Time: { min: 0, max: 864_000_000 },
  Count: { min: 0, max: 10_000 },
  Interval: { min: 0, max: 86_400 },
  Width: { min: 0, max: 8192 },
  Height: { min: 0, max: 8192 },
  BlackLevel: { min: 0, max: 100 },
  PixelBlackThreshold: { min: 0, max: 255 },
  CellWidth: { min: 0, max: 8192 },
  CellHeight: { min: 0, max: 8192 },
  Padding: { min: 0, max: 1024 },
  Margin: { min: 0, max: 1024 },
  Columns: { min: 1, max: 1000 },
  Lines: { min: 1, max: 1000 },
} as const;

/** A field of a template configuration that is not valid; `field` is its dotted path. */
export class TemplateConfigError extends LivesnapError {
  readonly field: string;
  constructor(field: string, detail: string) {
    super('TEMPLATE_CONFIG_INVALID', `${field}: ${detail}`);
    this.field = field;
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function number(
  obj: Json,
  key: keyof typeof TEMPLATE_LIMITS,
  path: string,
  integer: boolean,
): number | undefined {
  const raw = obj[key];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
  const { min, max } = TEMPLATE_LIMITS[key];
  if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new TemplateConfigError(`${path}${key}`, integer ? 'not an integer' : 'not a number');
  }
  if (n < min || n > max) throw new TemplateConfigError(`${path}${key}`, `must be ${min}–${max}`);
  return n;
}

function oneOf<T extends string>(
  obj: Json,
  key: string,
  values: readonly T[],
  path = '',
): T | undefined {
  const raw = obj[key];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const found =
    typeof raw === 'string' ? values.find((v) => v.toLowerCase() === raw.toLowerCase()) : undefined;
  if (found === undefined) {
    throw new TemplateConfigError(`${path}${key}`, `must be one of ${values.join(', ')}`);
  }
  return found;
}

function type(obj: Json): SnapshotType | undefined {
  // The template page also lists Cover: a single normal snapshot.
  if (typeof obj.Type === 'string' && obj.Type.toLowerCase() === 'cover') return 'Normal';
  return oneOf(obj, 'Type', SNAPSHOT_TYPES);
}

function boolean(obj: Json, key: string): boolean | undefined {
  const raw = obj[key];
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  throw new TemplateConfigError(key, 'must be true or false');
}

function sprite(raw: unknown): SpriteSnapshotConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  let obj: unknown = raw;
  if (typeof obj === 'string') {
    try {
      obj = JSON.parse(obj) as unknown;
    } catch {
      throw new TemplateConfigError('SpriteSnapshotConfig', 'not a JSON object');
    }
  }
  if (!isObject(obj)) throw new TemplateConfigError('SpriteSnapshotConfig', 'not an object');
  const path = 'SpriteSnapshotConfig.';
  const out: SpriteSnapshotConfig = {};
  for (const key of ['CellWidth', 'CellHeight', 'Padding', 'Margin', 'Columns', 'Lines'] as const) {
    const v = number(obj, key, path, true);
    if (v !== undefined) out[key] = v;
  }
  if (obj.Color !== undefined && obj.Color !== null && obj.Color !== '') {
    if (typeof obj.Color !== 'string' || parseColour(obj.Color) === undefined) {
      throw new TemplateConfigError(`${path}Color`, 'must be a colour such as #000000');
    }
    out.Color = obj.Color;
  }
  return out;
}

/** Checks and normalises a TemplateConfig / OverwriteParams object (JSON already parsed). */
export function parseTemplateConfig(raw: unknown): TemplateConfig {
  if (!isObject(raw)) throw new TemplateConfigError('TemplateConfig', 'not a JSON object');
  const out: TemplateConfig = {};
  const t = type(raw);
  if (t) out.Type = t;
  const frameType = oneOf(raw, 'FrameType', Object.values(FrameType));
  if (frameType) out.FrameType = frameType;
  for (const key of ['Time', 'Count', 'Width', 'Height', 'BlackLevel'] as const) {
    const v = number(raw, key, '', true);
    if (v !== undefined) out[key] = v;
  }
  const threshold = number(raw, 'PixelBlackThreshold', '', true);
  if (threshold !== undefined) out.PixelBlackThreshold = threshold;
  const interval = number(raw, 'Interval', '', false);
  if (interval !== undefined) out.Interval = interval;
  const frag = boolean(raw, 'IsSptFrag');
  if (frag !== undefined) out.IsSptFrag = frag;
  const spriteConfig = sprite(raw.SpriteSnapshotConfig);
  if (spriteConfig) out.SpriteSnapshotConfig = spriteConfig;
  const filter = oneOf(raw, 'BlackFilter', Object.values(BlackFilter));
  if (filter) out.BlackFilter = filter;
  return out;
}

/** The template with the overrides applied (SpriteSnapshotConfig is merged field by field). */
export function mergeTemplateConfig(
  base: TemplateConfig,
  overrides: TemplateConfig,
): TemplateConfig {
  const merged: TemplateConfig = { ...base, ...overrides };
  if (base.SpriteSnapshotConfig || overrides.SpriteSnapshotConfig) {
    merged.SpriteSnapshotConfig = {
      ...base.SpriteSnapshotConfig,
      ...overrides.SpriteSnapshotConfig,
    };
  }
  return merged;
}
