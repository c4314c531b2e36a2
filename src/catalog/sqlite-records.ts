import type { Database } from 'better-sqlite3';
import { withoutWaitingForDisk } from './sqlite-durability.js';
import type {
  DailySnapshotCount,
  RecordDeleteResult,
  RecordListQuery,
  RecordPage,
  SnapshotRecord,
  StreamKey,
} from './catalog-types.js';

interface RecordRow {
  domain_name: string;
  app_name: string;
  stream_name: string;
  oss_endpoint: string;
  oss_bucket: string;
  oss_object: string;
  create_timestamp: number;
  is_overlay: number;
  width: number;
  height: number;
  size: number;
}

const COLUMNS =
  'domain_name, app_name, stream_name, oss_endpoint, oss_bucket, oss_object, create_timestamp, is_overlay, width, height, size';

const STREAM = 'domain_name = ? AND app_name = ? AND stream_name = ?';

function toRecord(r: RecordRow): SnapshotRecord {
  return {
    domainName: r.domain_name,
    appName: r.app_name,
    streamName: r.stream_name,
    ossEndpoint: r.oss_endpoint,
    ossBucket: r.oss_bucket,
    ossObject: r.oss_object,
    createTimestamp: r.create_timestamp,
    isOverlay: r.is_overlay === 1,
    width: r.width,
    height: r.height,
    size: r.size,
  };
}

function streamArgs(s: StreamKey): [string, string, string] {
  return [s.domainName.toLowerCase(), s.appName, s.streamName];
}

/** Chunks of at most 500 so `IN (…)` stays under SQLite's variable limit. */
function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Snapshot records and stream sequences on SQLite (synchronous; wrapped by SqliteCatalog). */
export class SqliteRecords {
  constructor(private readonly db: Database) {}

  insert(rec: SnapshotRecord): void {
    const tx = this.db.transaction(() => {
      if (rec.isOverlay) {
        this.db
          .prepare(
            'DELETE FROM snapshot_records WHERE is_overlay = 1 AND oss_endpoint = ? AND oss_bucket = ? AND oss_object = ?',
          )
          .run(rec.ossEndpoint, rec.ossBucket, rec.ossObject);
      }
      this.db
        .prepare(`INSERT INTO snapshot_records (${COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
        .run(
          rec.domainName.toLowerCase(),
          rec.appName,
          rec.streamName,
          rec.ossEndpoint,
          rec.ossBucket,
          rec.ossObject,
          rec.createTimestamp,
          rec.isOverlay ? 1 : 0,
          rec.width,
          rec.height,
          rec.size,
        );
    });
    tx.immediate();
  }

  list(q: RecordListQuery): RecordPage {
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM snapshot_records
         WHERE ${STREAM} AND create_timestamp >= ? AND create_timestamp < ?
         ORDER BY create_timestamp ${dir}, id ${dir} LIMIT ?`,
      )
      .all(...streamArgs(q), q.startMs, q.endMs, q.limit + 1) as RecordRow[];
    const items = rows.slice(0, q.limit).map(toRecord);
    const next = rows[q.limit];
    return next ? { items, nextCreateTimestamp: next.create_timestamp } : { items };
  }

  find(stream: StreamKey, timestamps: number[]): SnapshotRecord[] {
    const out: SnapshotRecord[] = [];
    for (const part of chunks([...new Set(timestamps)])) {
      const rows = this.db
        .prepare(
          `SELECT ${COLUMNS} FROM snapshot_records WHERE ${STREAM}
           AND create_timestamp IN (${part.map(() => '?').join(',')}) ORDER BY create_timestamp, id`,
        )
        .all(...streamArgs(stream), ...part) as RecordRow[];
      out.push(...rows.map(toRecord));
    }
    return out;
  }

  delete(stream: StreamKey, timestamps: number[]): RecordDeleteResult {
    const tx = this.db.transaction((): RecordDeleteResult => {
      const deleted = this.find(stream, timestamps);
      for (const part of chunks([...new Set(timestamps)])) {
        this.db
          .prepare(
            `DELETE FROM snapshot_records WHERE ${STREAM}
             AND create_timestamp IN (${part.map(() => '?').join(',')})`,
          )
          .run(...streamArgs(stream), ...part);
      }
      const found = new Set(deleted.map((r) => r.createTimestamp));
      const missing = [...new Set(timestamps)].filter((t) => !found.has(t));
      return { deleted, missing };
    });
    return tx.immediate();
  }

  countByDay(startMs: number, endMs: number, domains?: string[]): DailySnapshotCount[] {
    const filter =
      domains && domains.length > 0
        ? `AND domain_name IN (${domains.map(() => '?').join(',')})`
        : '';
    const rows = this.db
      .prepare(
        `SELECT domain_name, strftime('%Y-%m-%d', create_timestamp / 1000, 'unixepoch') AS day,
                COUNT(*) AS n
         FROM snapshot_records
         WHERE create_timestamp >= ? AND create_timestamp < ? ${filter}
         GROUP BY domain_name, day ORDER BY day, domain_name`,
      )
      .all(startMs, endMs, ...(domains ?? []).map((d) => d.toLowerCase())) as Array<{
      domain_name: string;
      day: string;
      n: number;
    }>;
    return rows.map((r) => ({ domainName: r.domain_name, date: r.day, count: r.n }));
  }

  prune(beforeMs: number): number {
    return this.db.prepare('DELETE FROM snapshot_records WHERE create_timestamp < ?').run(beforeMs)
      .changes;
  }

  /**
   * Not waited for on disk (an fsync saved per snapshot): the record of an object named with
   * this number is committed durably afterwards, which puts this increment on disk too. Only
   * a power loss between the two can undo it, and then no record names that object: reusing
   * the number overwrites nothing that was ever recorded or announced.
   */
  nextSequence(stream: StreamKey): number {
    return withoutWaitingForDisk(this.db, () => this.#nextSequence(stream));
  }

  #nextSequence(stream: StreamKey): number {
    const row = this.db
      .prepare(
        `INSERT INTO stream_sequences (domain_name, app_name, stream_name, last_sequence)
         VALUES (?, ?, ?, 1)
         ON CONFLICT (domain_name, app_name, stream_name)
         DO UPDATE SET last_sequence = last_sequence + 1
         RETURNING last_sequence`,
      )
      .get(...streamArgs(stream)) as { last_sequence: number };
    return row.last_sequence;
  }

  isKnownStream(stream: StreamKey): boolean {
    const args = streamArgs(stream);
    const row = this.db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM stream_sequences WHERE ${STREAM})
             OR EXISTS (SELECT 1 FROM snapshot_records WHERE ${STREAM}) AS known`,
      )
      .get(...args, ...args) as { known: number };
    return row.known === 1;
  }
}
