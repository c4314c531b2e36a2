import { randomUUID } from 'node:crypto';
import type { CaptureRule } from '../capture/engine-types.js';
import type { SnapshotCallbacks } from '../capture/snapshot-store.js';
import type { CallbackEntryInput, SnapshotRecord } from '../catalog/catalog-types.js';
import { callbackOrigin } from '../notify/callback-entries.js';
import { utcSeconds } from '../notify/callback-events.js';
import { liveJobIdOf } from './live-job-keys.js';

/** The ICE event announcing a live snapshot job's file (spec §3.6, §4.12). */
export const LIVE_SNAPSHOT_FILE_CREATED = 'LiveSnapshotFileCreated';

export interface LiveJobCallbacksOptions {
  /** The announcer of pushed streams' snapshots (Notifier.snapshots). */
  inner: SnapshotCallbacks;
  /** The `Url` given for an object (a signed URL). */
  objectUrl: (endpoint: string, bucket: string, object: string) => string;
  now?: () => number;
}

/**
 * Snapshot callbacks with live snapshot jobs composed in. A job's file is announced to the
 * job's CallbackUrl (if any) as the ICE event envelope
 * `{"EventType":"LiveSnapshotFileCreated","EventTime":…,"MessageBody":{…}}`, the body
 * mirroring a ListLiveSnapshotFiles item plus JobId, Width, Height, Size and Url. It goes
 * through the same durable outbox as every callback. Other streams are announced by `inner`.
 */
export class LiveJobCallbacks implements SnapshotCallbacks {
  readonly #o: LiveJobCallbacksOptions;

  constructor(options: LiveJobCallbacksOptions) {
    this.#o = options;
  }

  async entriesFor(record: SnapshotRecord, rule: CaptureRule): Promise<CallbackEntryInput[]> {
    const jobId = liveJobIdOf({
      domain: record.domainName,
      app: record.appName,
      stream: record.streamName,
    });
    if (jobId === undefined) return this.#o.inner.entriesFor(record, rule);
    if (!rule.callback) return [];
    const now = (this.#o.now ?? Date.now)();
    const body = {
      EventType: LIVE_SNAPSHOT_FILE_CREATED,
      EventTime: utcSeconds(now),
      MessageBody: {
        JobId: jobId,
        OssEndpoint: record.ossEndpoint,
        OssBucket: record.ossBucket,
        OssObject: record.ossObject,
        CreateTime: utcSeconds(record.createTimestamp),
        CreateTimestamp: record.createTimestamp,
        IsOverlay: record.isOverlay,
        Width: record.width,
        Height: record.height,
        Size: record.size,
        Url: this.#url(record),
      },
    };
    return [
      {
        eventId: randomUUID(),
        event: LIVE_SNAPSHOT_FILE_CREATED,
        domainName: record.domainName.toLowerCase(),
        url: rule.callback,
        origin: callbackOrigin(rule.callback),
        body: JSON.stringify(body),
        createdAt: now,
      },
    ];
  }

  committed(entries: number): void {
    this.#o.inner.committed(entries);
  }

  #url(r: SnapshotRecord): string {
    try {
      return this.#o.objectUrl(r.ossEndpoint, r.ossBucket, r.ossObject);
    } catch {
      return '';
    }
  }
}
