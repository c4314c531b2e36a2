import type { Catalog, SnapshotRecord, StreamKey } from '../../catalog/catalog-types.js';
import { errorMessage } from '../../errors.js';
import { liveJobRecordKey } from '../../jobs/live-job-keys.js';
import type { ObjectStore } from '../../storage/object-store-types.js';
import { ApiVersion, type ActionContext, type ActionRegistry } from '../action-registry.js';
import { ApiError } from '../api-error.js';
import type { ParamReader } from '../param-reader.js';
import { readId, readSortBy, readTime } from './ice-live-snapshot-params.js';
import { formatQueryTime, listRecordPage, recordItem } from './snapshot-record-actions.js';

/**
 * ListLiveSnapshotFiles and DeleteLiveSnapshotFiles (spec §4.10, §4.11): a job's files are
 * the snapshot records of its stream key (src/jobs/live-job-keys.ts).
 *
 * Paging follows DescribeLiveStreamSnapshotInfo (snapshot-record-actions.ts): a page never
 * ends inside a group of rows the cursor cannot tell apart (a capture's overwrite and sequence
 * files share one CreateTimestamp), so `NextStartTime` gives every file exactly once; it is
 * the next StartTime in `asc` order and the next EndTime in `desc` order.
 */

export type LiveFileCatalog = Pick<
  Catalog,
  'getLiveJob' | 'listSnapshotRecords' | 'findSnapshotRecords' | 'deleteSequenceSnapshotRecords'
>;

export interface LiveFileActionDeps {
  catalog: LiveFileCatalog;
  storage: { get(endpoint: string): ObjectStore };
  /** Optional signed `Url` of each listed file (a livesnap extension). */
  signUrl?: (
    object: { endpoint: string; bucket: string; object: string },
    accessKeyId: string,
  ) => string | undefined | Promise<string | undefined>;
}

const LIMIT = { min: 1, max: 100, default: 10 } as const;
const MAX_WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_DELETE_ITEMS = 200;

function readTimestamps(p: ParamReader): number[] {
  const name = 'CreateTimestampList';
  const raw = p.list(name, { maxItems: MAX_DELETE_ITEMS, minItems: 1, itemMaxLength: 32 });
  const seen = new Set<number>();
  for (const item of raw) {
    const ts = /^\d{1,16}$/.test(item) ? Number(item) : NaN;
    if (!Number.isSafeInteger(ts)) {
      throw p.invalid(name, `"${item.slice(0, 32)}" is not a millisecond timestamp`);
    }
    seen.add(ts);
  }
  return [...seen];
}

/** ListLiveSnapshotFiles, DeleteLiveSnapshotFiles. */
export function registerLiveFileActions(registry: ActionRegistry, deps: LiveFileActionDeps): void {
  const { catalog } = deps;
  const version = ApiVersion.Ice;

  async function jobStream(jobId: string): Promise<StreamKey> {
    if (!(await catalog.getLiveJob(jobId))) throw new ApiError('JobNotFound');
    return liveJobRecordKey(jobId);
  }

  async function toApi(r: SnapshotRecord, ctx: ActionContext) {
    return {
      ...(await recordItem(r, ctx, deps.signUrl)),
      Width: r.width,
      Height: r.height,
      Size: r.size,
    };
  }

  registry.register({
    version,
    action: 'ListLiveSnapshotFiles',
    handler: async (p, ctx) => {
      const jobId = readId(p, 'JobId');
      const startMs = readTime(p, 'StartTime', true)!;
      const endMs = readTime(p, 'EndTime', true)!;
      if (endMs <= startMs || endMs - startMs > MAX_WINDOW_MS) {
        throw new ApiError('EndTimeMismatch');
      }
      const limit = p.optionalInteger('Limit', LIMIT) ?? LIMIT.default;
      const order = readSortBy(p, 'asc');
      const stream = await jobStream(jobId);
      const { items, cursor } = await listRecordPage(catalog, stream, startMs, endMs, order, limit);
      return {
        ...(cursor !== undefined && { NextStartTime: formatQueryTime(cursor) }),
        FileList: await Promise.all(items.map((r) => toApi(r, ctx))),
      };
    },
  });

  /**
   * Sequence files only: an overwrite file is rewritten by every capture, so it cannot be
   * deleted through the API (OverlayNotSupported). Everything is checked before anything is
   * deleted; rows go first, then (DeleteOriginalFile) the objects, whose failures are logged.
   */
  registry.register({
    version,
    action: 'DeleteLiveSnapshotFiles',
    handler: async (p, ctx) => {
      const jobId = readId(p, 'JobId');
      const timestamps = readTimestamps(p);
      const deleteObjects = p.optionalBoolean('DeleteOriginalFile') ?? false;
      const stream = await jobStream(jobId);
      const rows = await catalog.findSnapshotRecords(stream, timestamps);
      if (rows.length === 0) throw new ApiError('NoValidSnapshot');
      const sequence = new Set(rows.filter((r) => !r.isOverlay).map((r) => r.createTimestamp));
      const overlayOnly = rows.find((r) => r.isOverlay && !sequence.has(r.createTimestamp));
      if (overlayOnly) throw new ApiError('OverlayNotSupported');
      const deleted = await catalog.deleteSequenceSnapshotRecords(stream, [...sequence]);
      const done = new Set(deleted.map((r) => r.createTimestamp));
      if (deleteObjects) {
        for (const r of deleted) {
          try {
            await deps.storage.get(r.ossEndpoint).delete(r.ossBucket, r.ossObject);
          } catch (err) {
            ctx.log.warn(
              { bucket: r.ossBucket, object: r.ossObject, err: errorMessage(err) },
              'live snapshot file not deleted',
            );
          }
        }
      }
      ctx.log.info(
        { jobId: stream.streamName, files: deleted.length, deleteObjects },
        'live snapshot files deleted',
      );
      return {
        DeleteFileResultList: timestamps.map((t) => ({
          CreateTimestamp: t,
          Result: done.has(t) ? 'OK' : 'NotFound',
        })),
      };
    },
  });
}
