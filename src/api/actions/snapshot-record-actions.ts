import type { Catalog, SnapshotRecord, SortOrder, StreamKey } from '../../catalog/catalog-types.js';
import { errorMessage } from '../../errors.js';
import type { ObjectStore } from '../../storage/object-store-types.js';
import { ApiVersion, type ActionContext, type ActionRegistry } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import { DOMAIN_NAME } from '../field-rules.js';
import type { ParamReader } from '../param-reader.js';
import { formatRpcTime, parseRpcTime } from '../rpc-time.js';
import { readDomainName } from './live-params.js';

/**
 * The snapshot record actions (spec §2.5, §2.6, §2.9): list, delete and count the catalog's
 * snapshot rows.
 *
 * Paging of DescribeLiveStreamSnapshotInfo. `NextStartTime` is a cursor that must give every
 * row exactly once although several rows can fall in one second, and the overwrite and
 * sequence rows of one capture even share one millisecond. A page therefore never ends inside
 * a group of rows that the cursor cannot tell apart:
 *  - preferred: the page ends at a second boundary (the trailing rows of the next row's second
 *    are left for the next page) and `NextStartTime` is the spec's `yyyy-MM-ddTHH:mm:ssZ`;
 *  - when the whole page lies within that one second, it ends at a millisecond boundary and
 *    `NextStartTime` carries milliseconds (`yyyy-MM-ddTHH:mm:ss.SSSZ`), which StartTime and
 *    EndTime accept as well;
 *  - when even that leaves nothing (Limit smaller than a group of rows sharing one
 *    millisecond, i.e. Limit=1 and an overwrite+sequence pair), the whole group is returned,
 *    so such a page may exceed Limit.
 * So a page may hold fewer than Limit rows while more follow. Real captures are seconds apart,
 * so in practice the cursor always has the spec's format and pages lose at most a row or two.
 *
 * Order: asc continues by passing `NextStartTime` as the next StartTime (it is the creation
 * time of the next row, or the start of its second). The spec says nothing about paging in
 * desc order, where the remaining rows are the older ones: there `NextStartTime` is passed as
 * the next **EndTime** (exclusive), and it is the end of the next row's second (or the next
 * row's millisecond + 1). The window is always StartTime ≤ t < EndTime.
 */

/** The part of the catalog these actions use. */
export type RecordCatalog = Pick<
  Catalog,
  'listSnapshotRecords' | 'deleteSnapshotRecords' | 'countSnapshotsByDay' | 'isKnownStream'
>;

export interface SnapshotRecordDeps {
  catalog: RecordCatalog;
  /** Object stores by OssEndpoint name (StorageRegistry fits); throws for an unknown name. */
  storage: { get(endpoint: string): ObjectStore };
  /**
   * Optional: a URL for each listed object, signed for the calling access key; when given and
   * it returns a string, items carry it as `Url` (a livesnap extension).
   */
  signUrl?: (
    object: { endpoint: string; bucket: string; object: string },
    accessKeyId: string,
  ) => string | undefined | Promise<string | undefined>;
}

/** Spec §2.0 QPS limits (DescribeLiveDomainSnapshotData has none). */
const DESCRIBE_QPS = 100;
const DELETE_QPS = 30;
const LIMIT = { min: 1, max: 100, default: 10 };
const MAX_DELETE_ITEMS = 200;
const MAX_DOMAINS = 100;
const DAY_MS = 24 * 60 * 60 * 1000;
const SECOND_MS = 1000;
/** Only the last year of snapshots is queryable and deletable (spec §2.5, §2.6). */
const RECORD_RETENTION_MS = 365 * DAY_MS;
/** DescribeLiveDomainSnapshotData: only the last 90 days (spec §2.9). */
const DAILY_DATA_DAYS = 90;
/** Rows sharing one millisecond in one stream: realistically 2 (overwrite + sequence). */
const MAX_TIE_GROUP = 1000;
const DELETE_CONCURRENCY = 8;

// App and stream names as ingest accepts them (no control characters, no backslash).
// eslint-disable-next-line no-control-regex
const STREAM_PART = /^[^\u0000-\u001f\u007f\\]+$/;

/** `yyyy-MM-ddTHH:mm:ssZ`, or with milliseconds `yyyy-MM-ddTHH:mm:ss.SSSZ`. */
const QUERY_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{3}))?Z$/;

/** Parses a query time (seconds, or exactly 3 fraction digits); undefined when malformed. */
export function parseQueryTime(text: string): number | undefined {
  const m = QUERY_TIME.exec(text);
  if (!m) return undefined;
  const seconds = parseRpcTime(`${m[1]}Z`);
  if (seconds === undefined) return undefined;
  return seconds + (m[2] === undefined ? 0 : Number(m[2]));
}

/** The spec's seconds form when `ms` is a whole second, else with milliseconds. */
export function formatQueryTime(ms: number): string {
  return ms % SECOND_MS === 0 ? formatRpcTime(ms) : new Date(ms).toISOString();
}

export interface PageCut {
  /** How many of the rows form the page. */
  count: number;
  /** Next StartTime (asc) or next EndTime (desc), ms. */
  cursor: number;
}

/**
 * Where a page ends, given up to Limit rows in `order` and the timestamp of the first row
 * after them (see the module comment). A cursor c satisfies, for asc,
 * every returned t < c ≤ every remaining t; for desc, every remaining t < c ≤ every returned t.
 * Undefined when every row shares `nextTs` (the caller must return the whole tie group).
 */
export function cutPage(
  timestamps: readonly number[],
  nextTs: number,
  order: SortOrder,
): PageCut | undefined {
  const secondStart = Math.floor(nextTs / SECOND_MS) * SECOND_MS;
  const candidates =
    order === 'asc' ? [secondStart, nextTs] : [secondStart + SECOND_MS, nextTs + 1];
  for (const cursor of candidates) {
    const inPage = (t: number) => (order === 'asc' ? t < cursor : t >= cursor);
    let count = 0;
    while (count < timestamps.length && inPage(timestamps[count]!)) count++;
    if (count > 0) return { count, cursor };
  }
  return undefined;
}

function readStream(p: ParamReader): StreamKey {
  return {
    domainName: readDomainName(p),
    appName: p.string('AppName', { maxLength: 255, pattern: STREAM_PART }),
    streamName: p.string('StreamName', { maxLength: 256, pattern: STREAM_PART }),
  };
}

function readTime(p: ParamReader, name: 'StartTime' | 'EndTime'): number {
  const code = name === 'StartTime' ? 'InvalidStartTime.Malformed' : 'InvalidEndTime.Malformed';
  const ms = parseQueryTime(p.string(name, { maxLength: 32, code }));
  if (ms === undefined) throw new ApiError(code);
  return ms;
}

/** StartTime and EndTime with EndTime > StartTime and a span of at most `maxSpanMs`. */
function readWindow(p: ParamReader, maxSpanMs: number): { start: number; end: number } {
  const start = readTime(p, 'StartTime');
  const end = readTime(p, 'EndTime');
  if (end <= start || end - start > maxSpanMs) throw new ApiError('InvalidEndTime.Mismatch');
  return { start, end };
}

function readOrder(p: ParamReader): SortOrder {
  const raw = p.optionalString('Order', { maxLength: 8 })?.toLowerCase() ?? 'asc';
  if (raw !== 'asc' && raw !== 'desc') throw p.invalid('Order', 'must be asc or desc');
  return raw;
}

/** CreateTimestampList.N or a JSON array: 1–200 distinct millisecond timestamps. */
function readTimestamps(p: ParamReader): number[] {
  const name = 'CreateTimestampList';
  const raw = p.list(name, { maxItems: MAX_DELETE_ITEMS, minItems: 1, itemMaxLength: 32 });
  const seen = new Set<number>();
  return raw.map((item) => {
    const ts = /^\d{1,16}$/.test(item) ? Number(item) : NaN;
    if (!Number.isSafeInteger(ts))
      throw p.invalid(name, `"${item.slice(0, 32)}" is not a millisecond timestamp`);
    if (seen.has(ts)) throw p.invalid(name, `${ts} is listed twice`);
    seen.add(ts);
    return ts;
  });
}

/** `a.com,b.com` → distinct lower-case domains; undefined when absent. */
function readDomainList(p: ParamReader): string[] | undefined {
  const raw = p.optionalString('DomainName', { maxLength: 256 * MAX_DOMAINS });
  if (raw === undefined) return undefined;
  const domains = [...new Set(raw.split(',').map((d) => d.trim().toLowerCase()))];
  if (domains.length > MAX_DOMAINS)
    throw p.invalid('DomainName', `more than ${MAX_DOMAINS} domains`);
  for (const d of domains) {
    if (!DOMAIN_NAME.test(d))
      throw p.invalid('DomainName', `"${d.slice(0, 64)}" is not a domain name`);
  }
  return domains;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * One page of a stream's records and its cursor (see the module comment): a page never ends
 * inside a group of rows sharing one CreateTimestamp. Shared with ListLiveSnapshotFiles.
 */
export async function listRecordPage(
  catalog: Pick<Catalog, 'listSnapshotRecords'>,
  stream: StreamKey,
  startMs: number,
  endMs: number,
  order: SortOrder,
  limit: number,
): Promise<{ items: SnapshotRecord[]; cursor?: number }> {
  const page = await catalog.listSnapshotRecords({ ...stream, startMs, endMs, order, limit });
  if (page.nextCreateTimestamp === undefined) return { items: page.items };
  const timestamps = page.items.map((r) => r.createTimestamp);
  const cut = cutPage(timestamps, page.nextCreateTimestamp, order);
  if (cut) return { items: page.items.slice(0, cut.count), cursor: cut.cursor };

  // Every row shares one millisecond T with the next row: return the whole group.
  const t = page.nextCreateTimestamp;
  const group = await catalog.listSnapshotRecords({
    ...stream,
    startMs: t,
    endMs: t + 1,
    order,
    limit: MAX_TIE_GROUP,
  });
  if (group.nextCreateTimestamp !== undefined) {
    throw new Error(`more than ${MAX_TIE_GROUP} snapshot rows share the timestamp ${t}`);
  }
  const after = await catalog.listSnapshotRecords({
    ...stream,
    startMs: order === 'asc' ? t + 1 : startMs,
    endMs: order === 'asc' ? endMs : t,
    order,
    limit: 1,
  });
  const nextTs = after.items[0]?.createTimestamp;
  if (nextTs === undefined) return { items: group.items };
  const groupCut = cutPage(
    group.items.map((r) => r.createTimestamp),
    nextTs,
    order,
  )!;
  return { items: group.items, cursor: groupCut.cursor };
}

/** A record's fields as both APIs list them, with its signed `Url` when signing is on. */
export async function recordItem(
  r: SnapshotRecord,
  ctx: ActionContext,
  signUrl: SnapshotRecordDeps['signUrl'],
) {
  const url = signUrl
    ? await signUrl(
        { endpoint: r.ossEndpoint, bucket: r.ossBucket, object: r.ossObject },
        ctx.accessKeyId,
      )
    : undefined;
  return {
    OssEndpoint: r.ossEndpoint,
    OssBucket: r.ossBucket,
    OssObject: r.ossObject,
    CreateTime: formatRpcTime(r.createTimestamp),
    CreateTimestamp: r.createTimestamp,
    IsOverlay: r.isOverlay,
    ...(url !== undefined && { Url: url }),
  };
}

/** DescribeLiveStreamSnapshotInfo, DeleteSnapshotFiles, DescribeLiveDomainSnapshotData. */
export function registerSnapshotRecordActions(
  registry: ActionRegistry,
  deps: SnapshotRecordDeps,
): void {
  const { catalog } = deps;
  const version = ApiVersion.Live;

  registry.register({
    version,
    action: 'DescribeLiveStreamSnapshotInfo',
    qps: DESCRIBE_QPS,
    handler: async (p, ctx) => {
      const stream = readStream(p);
      const { start, end } = readWindow(p, DAY_MS);
      const limit = p.optionalInteger('Limit', LIMIT) ?? LIMIT.default;
      const order = readOrder(p);
      // Older rows are not queryable: the window is clipped to the last year.
      const startMs = Math.max(start, ctx.now() - RECORD_RETENTION_MS);
      const { items, cursor } =
        startMs < end
          ? await listRecordPage(catalog, stream, startMs, end, order, limit)
          : { items: [] };
      if (items.length === 0 && !(await catalog.isKnownStream(stream))) {
        throw new ApiError('InvalidStream.NotFound');
      }
      const list = await Promise.all(items.map((r) => recordItem(r, ctx, deps.signUrl)));
      return {
        ...(cursor !== undefined && { NextStartTime: formatQueryTime(cursor) }),
        LiveStreamSnapshotInfoList: { LiveStreamSnapshotInfo: list },
      };
    },
  });

  /**
   * Rows first, then objects: a row never points at a deleted object, and an object whose
   * deletion fails is only an orphan file (logged), never a lost or dangling record. The
   * reverse order could leave rows for objects already gone when the catalog write fails.
   */
  registry.register({
    version,
    action: 'DeleteSnapshotFiles',
    qps: DELETE_QPS,
    handler: async (p, ctx) => {
      const stream = readStream(p);
      const timestamps = readTimestamps(p);
      const removeFile = p.boolean('RemoveFile');

      const cutoff = ctx.now() - RECORD_RETENTION_MS;
      const deletable = timestamps.filter((t) => t >= cutoff);
      const { deleted } =
        deletable.length > 0
          ? await catalog.deleteSnapshotRecords(stream, deletable)
          : { deleted: [] };
      const found = new Set(deleted.map((r) => r.createTimestamp));
      if (removeFile) await removeObjects(stream, deleted, ctx);

      const infos = timestamps.map((t) => ({
        CreateTimestamp: t,
        Message: found.has(t) ? 'OK' : 'FileNotFound',
      }));
      const success = infos.filter((i) => i.Message === 'OK').length;
      ctx.log.info(
        { ...stream, requested: timestamps.length, rows: deleted.length, removeFile },
        'snapshot records deleted',
      );
      return {
        SuccessCount: success,
        FailureCount: infos.length - success,
        SnapshotDeleteInfoList: { SnapshotDeleteInfo: infos },
      };
    },
  });

  /** Deletes the objects of deleted rows; failures are logged, the rows stay deleted. */
  async function removeObjects(stream: StreamKey, rows: SnapshotRecord[], ctx: ActionContext) {
    const unique = new Map<string, SnapshotRecord>();
    for (const r of rows) unique.set(`${r.ossEndpoint}\n${r.ossBucket}\n${r.ossObject}`, r);
    await forEachLimited([...unique.values()], DELETE_CONCURRENCY, async (r) => {
      const where = { endpoint: r.ossEndpoint, bucket: r.ossBucket, object: r.ossObject };
      try {
        // An overwrite object may have been rewritten (and re-recorded) by a capture since
        // the row was read: then it belongs to the newer row and stays. (A capture between
        // this check and the delete can still lose its object; the window is milliseconds.)
        if (r.isOverlay && (await hasNewerOverlayRow(stream, r))) {
          ctx.log.info(where, 'overwrite object kept: a newer snapshot row uses it');
          return;
        }
        await deps.storage.get(r.ossEndpoint).delete(r.ossBucket, r.ossObject);
      } catch (err) {
        ctx.log.warn({ ...where, err: errorMessage(err) }, 'snapshot object not deleted');
      }
    });
  }

  async function hasNewerOverlayRow(stream: StreamKey, r: SnapshotRecord): Promise<boolean> {
    const newest = await catalog.listSnapshotRecords({
      ...stream,
      startMs: r.createTimestamp + 1,
      endMs: Number.MAX_SAFE_INTEGER,
      order: 'desc',
      limit: 20,
    });
    return newest.items.some(
      (n) =>
        n.isOverlay &&
        n.ossEndpoint === r.ossEndpoint &&
        n.ossBucket === r.ossBucket &&
        n.ossObject === r.ossObject,
    );
  }

  /**
   * Daily counts: one entry per UTC day from StartTime's day to the day of EndTime's last
   * millisecond, oldest first, days without snapshots included with Total 0. A partly covered
   * day counts only its covered part. Totals are summed over the selected domains.
   */
  registry.register({
    version,
    action: 'DescribeLiveDomainSnapshotData',
    handler: async (p, ctx) => {
      const domains = readDomainList(p);
      const { start, end } = readWindow(p, (DAILY_DATA_DAYS + 1) * DAY_MS);
      const firstDay = Math.floor(ctx.now() / DAY_MS) * DAY_MS - DAILY_DATA_DAYS * DAY_MS;
      if (start < firstDay) {
        throw new ApiError('InvalidStartTime.ValueNotSupported', {
          message: `The specified value of parameter StartTime is not supported: only the last ${DAILY_DATA_DAYS} days (from ${formatRpcTime(firstDay)}) can be queried.`,
        });
      }
      const counts = await catalog.countSnapshotsByDay(start, end, domains);
      const totals = new Map<string, number>();
      for (const c of counts) totals.set(c.date, (totals.get(c.date) ?? 0) + c.count);
      const days: Array<{ Date: string; Total: number }> = [];
      for (let d = Math.floor(start / DAY_MS) * DAY_MS; d < end; d += DAY_MS) {
        const date = utcDay(d);
        days.push({ Date: date, Total: totals.get(date) ?? 0 });
      }
      return { SnapshotDataInfos: { SnapshotDataInfo: days } };
    },
  });
}
