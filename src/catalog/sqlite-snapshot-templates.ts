import type { Database } from 'better-sqlite3';
import type {
  MediaAssetRecord,
  SnapshotTemplateList,
  SnapshotTemplateQuery,
  SnapshotTemplateRecord,
} from './snapshot-job-types.js';

interface TemplateRow {
  template_id: string;
  name: string;
  subtype: number;
  config: string;
  created_at: number;
  modified_at: number;
}

interface MediaRow {
  media_id: string;
  input_url: string;
  title: string | null;
  description: string | null;
  media_type: string | null;
  business_type: string | null;
  user_data: string | null;
  created_at: number;
  modified_at: number;
}

/** `{ key: value }`, or `{}` when the column is NULL. */
export function optional<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

function toTemplate(r: TemplateRow): SnapshotTemplateRecord {
  return {
    templateId: r.template_id,
    name: r.name,
    subtype: r.subtype,
    config: r.config,
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
  };
}

function toMedia(r: MediaRow): MediaAssetRecord {
  return {
    mediaId: r.media_id,
    inputUrl: r.input_url,
    ...optional('title', r.title),
    ...optional('description', r.description),
    ...optional('mediaType', r.media_type),
    ...optional('businessType', r.business_type),
    ...optional('userData', r.user_data),
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
  };
}

/** LIKE pattern matching `text` literally (escape character `\`). */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Snapshot templates (with their defaults) and registered media on SQLite (synchronous). */
export class SqliteSnapshotTemplates {
  constructor(protected readonly db: Database) {}

  // ── templates ──

  insertTemplate(t: SnapshotTemplateRecord): boolean {
    return (
      this.db
        .prepare(
          `INSERT INTO snapshot_templates (template_id, name, subtype, config, created_at, modified_at)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (template_id) DO NOTHING`,
        )
        .run(t.templateId, t.name, t.subtype, t.config, t.createdAt, t.modifiedAt).changes > 0
    );
  }

  getTemplate(templateId: string): SnapshotTemplateRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM snapshot_templates WHERE template_id = ?')
      .get(templateId) as TemplateRow | undefined;
    return row && toTemplate(row);
  }

  listTemplates(q: SnapshotTemplateQuery): SnapshotTemplateList {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.subtype !== undefined) {
      where.push('subtype = ?');
      args.push(q.subtype);
    }
    if (q.templateId !== undefined) {
      where.push('template_id = ?');
      args.push(q.templateId);
    }
    if (q.name !== undefined) {
      where.push("name LIKE ? ESCAPE '\\'");
      args.push(likeContains(q.name));
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const read = this.db.transaction((): SnapshotTemplateList => {
      const { n } = this.db
        .prepare(`SELECT COUNT(*) AS n FROM snapshot_templates ${filter}`)
        .get(...args) as { n: number };
      const rows = this.db
        .prepare(
          `SELECT * FROM snapshot_templates ${filter}
           ORDER BY created_at ${dir}, rowid ${dir} LIMIT ? OFFSET ?`,
        )
        .all(...args, q.limit, q.offset) as TemplateRow[];
      return { total: n, items: rows.map(toTemplate) };
    });
    return read();
  }

  updateTemplate(
    templateId: string,
    apply: (current: SnapshotTemplateRecord) => Pick<SnapshotTemplateRecord, 'name' | 'config'>,
    now: number,
  ): SnapshotTemplateRecord | undefined {
    const tx = this.db.transaction((): SnapshotTemplateRecord | undefined => {
      const current = this.getTemplate(templateId);
      if (!current) return undefined;
      const next = apply(current);
      this.db
        .prepare(
          'UPDATE snapshot_templates SET name = ?, config = ?, modified_at = ? WHERE template_id = ?',
        )
        .run(next.name, next.config, now, templateId);
      return this.getTemplate(templateId);
    });
    return tx.immediate();
  }

  deleteTemplate(templateId: string): boolean {
    const tx = this.db.transaction((): boolean => {
      this.db
        .prepare('DELETE FROM snapshot_template_defaults WHERE template_id = ?')
        .run(templateId);
      return (
        this.db.prepare('DELETE FROM snapshot_templates WHERE template_id = ?').run(templateId)
          .changes > 0
      );
    });
    return tx.immediate();
  }

  getDefault(subtype: number): string | undefined {
    const row = this.db
      .prepare('SELECT template_id FROM snapshot_template_defaults WHERE subtype = ?')
      .get(subtype) as { template_id: string } | undefined;
    return row?.template_id;
  }

  setDefault(subtype: number, templateId: string): void {
    this.db
      .prepare(
        `INSERT INTO snapshot_template_defaults (subtype, template_id) VALUES (?, ?)
         ON CONFLICT (subtype) DO UPDATE SET template_id = excluded.template_id`,
      )
      .run(subtype, templateId);
  }

  // ── media ──

  insertMedia(m: MediaAssetRecord): void {
    this.db
      .prepare(
        `INSERT INTO media_assets (media_id, input_url, title, description, media_type,
           business_type, user_data, created_at, modified_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.mediaId,
        m.inputUrl,
        m.title ?? null,
        m.description ?? null,
        m.mediaType ?? null,
        m.businessType ?? null,
        m.userData ?? null,
        m.createdAt,
        m.modifiedAt,
      );
  }

  getMedia(mediaId: string): MediaAssetRecord | undefined {
    const row = this.db.prepare('SELECT * FROM media_assets WHERE media_id = ?').get(mediaId) as
      MediaRow | undefined;
    return row && toMedia(row);
  }
}
