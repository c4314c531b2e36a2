import type { CallbackEntryInput, Catalog, SnapshotRecord } from '../catalog/catalog-types.js';
import type { CaptureRule } from '../capture/engine-types.js';
import type { SnapshotCallbacks } from '../capture/snapshot-store.js';
import { newCallbackEntry, uniqueReceivers } from './callback-entries.js';
import { CallbackEvent, snapshotBody } from './callback-events.js';
import type { ObjectUrl } from './object-url.js';

export interface SnapshotAnnouncerOptions {
  catalog: Pick<Catalog, 'getNotifySettings'>;
  objectUrl: ObjectUrl;
  /** Fallback when `objectUrl` throws (e.g. a signer without a key). */
  plainUrl: ObjectUrl;
  /** Called when entries were committed (wakes the dispatcher). */
  wake: () => void;
  now?: () => number;
}

/**
 * The capture sink's view of the outbox: for each stored object, one LiveSnapshot entry per
 * receiver — the rule's Callback (fixed when the publish started) and the domain's NotifyUrl
 * (as configured when the object is stored), once when both are the same URL.
 */
export class SnapshotAnnouncer implements SnapshotCallbacks {
  readonly #o: SnapshotAnnouncerOptions;

  constructor(options: SnapshotAnnouncerOptions) {
    this.#o = options;
  }

  async entriesFor(record: SnapshotRecord, rule: CaptureRule): Promise<CallbackEntryInput[]> {
    const settings = await this.#o.catalog.getNotifySettings(record.domainName);
    const receivers = uniqueReceivers([rule.callback, settings?.notifyUrl]);
    if (receivers.length === 0) return [];
    const body = JSON.stringify(snapshotBody(record, this.#url(record)));
    const now = (this.#o.now ?? Date.now)();
    return receivers.map((url) =>
      newCallbackEntry({
        event: CallbackEvent.LiveSnapshot,
        domainName: record.domainName,
        url,
        body,
        now,
      }),
    );
  }

  committed(entries: number): void {
    if (entries > 0) this.#o.wake();
  }

  #url(r: SnapshotRecord): string {
    try {
      return this.#o.objectUrl(r.ossEndpoint, r.ossBucket, r.ossObject);
    } catch {
      return this.#o.plainUrl(r.ossEndpoint, r.ossBucket, r.ossObject);
    }
  }
}
