import type { SnapshotTemplateRecord } from '../catalog/snapshot-job-types.js';
import { SnapshotType, type TemplateConfig } from './template-config.js';

/**
 * Snapshot templates (custom template Type 2, spec §3.5) and the system templates livesnap
 * ships: one per subtype, read-only, the default of their subtype until another template is
 * made the default (SetDefaultCustomTemplate). `GetCustomTemplate` with `Type=2` and a
 * `Subtype` returns the default.
 */

/** Custom template type of snapshot templates. */
export const SNAPSHOT_TEMPLATE_TYPE = 2;
export const SNAPSHOT_TEMPLATE_TYPE_NAME = 'SnapshotTemplate';

/** Subtype numbers (Get/List) and names (Create response, TemplateConfig.Type). */
export const SnapshotSubtype = { Normal: 1, Sprite: 2, WebVtt: 3 } as const;
export type SnapshotSubtype = (typeof SnapshotSubtype)[keyof typeof SnapshotSubtype];

export function subtypeOf(type: SnapshotType): SnapshotSubtype {
  return SnapshotSubtype[type];
}

export function subtypeName(subtype: number): SnapshotType | undefined {
  const found = Object.entries(SnapshotSubtype).find(([, n]) => n === subtype);
  return found?.[0] as SnapshotType | undefined;
}

interface SystemTemplate {
  readonly templateId: string;
  readonly name: string;
  readonly subtype: SnapshotSubtype;
  readonly config: TemplateConfig;
}

/** The system templates (ids in the cloud's system-template style). */
export const SYSTEM_TEMPLATES: readonly SystemTemplate[] = [
  {
    templateId: 'S00000002-000001',
    name: 'System Normal snapshot',
    subtype: SnapshotSubtype.Normal,
    config: { Type: 'Normal', FrameType: 'intra', Time: 0, Count: 1 },
  },
  {
    templateId: 'S00000002-000002',
    name: 'System sprite (10 s, 160 px cells, 10 × 10)',
    subtype: SnapshotSubtype.Sprite,
    config: {
      Type: 'Sprite',
      FrameType: 'intra',
      Time: 0,
      Interval: 10,
      Width: 160,
      SpriteSnapshotConfig: { Columns: 10, Lines: 10, Padding: 0, Margin: 0, Color: '#000000' },
    },
  },
  {
    templateId: 'S00000002-000003',
    name: 'System WebVTT thumbnails (10 s, 160 px, sprites)',
    subtype: SnapshotSubtype.WebVtt,
    config: {
      Type: 'WebVtt',
      FrameType: 'intra',
      Time: 0,
      Interval: 10,
      Width: 160,
      IsSptFrag: true,
      SpriteSnapshotConfig: { Columns: 10, Lines: 10 },
    },
  },
];

/** System templates as catalog records (created at the epoch, never modified). */
export function systemTemplateRecord(t: SystemTemplate): SnapshotTemplateRecord {
  return {
    templateId: t.templateId,
    name: t.name,
    subtype: t.subtype,
    config: JSON.stringify(t.config),
    createdAt: 0,
    modifiedAt: 0,
  };
}

export function findSystemTemplate(templateId: string): SnapshotTemplateRecord | undefined {
  const t = SYSTEM_TEMPLATES.find((x) => x.templateId === templateId);
  return t && systemTemplateRecord(t);
}

export function systemTemplateOf(subtype: number): SnapshotTemplateRecord | undefined {
  const t = SYSTEM_TEMPLATES.find((x) => x.subtype === subtype);
  return t && systemTemplateRecord(t);
}

export function isSystemTemplate(templateId: string): boolean {
  return SYSTEM_TEMPLATES.some((x) => x.templateId === templateId);
}
