import type { CallbackEntryInput, Catalog, SnapshotRecord } from '../catalog/catalog-types.js';
import type { ObjectStore } from '../storage/object-store-types.js';
import { renderObjectName } from '../storage/object-name.js';
import type {
  CaptureRule,
  CapturedSnapshot,
  SnapshotSink,
  StoreOutcome,
  StoredSnapshot,
} from './engine-types.js';

/** What the sink needs from storage: the store behind an endpoint name (throws if unknown). */
export interface StoreLookup {
  get(endpoint: string): ObjectStore;
}

export type SnapshotCatalog = Pick<Catalog, 'nextSequence' | 'insertSnapshotRecord'>;

/**
 * Announces stored objects through the callback outbox (src/notify): the entries are
 * committed in the same transaction as the object's row, so a recorded snapshot is never
 * left unannounced.
 */
export interface SnapshotCallbacks {
  /** The outbox entries announcing `record` (none when nobody listens). */
  entriesFor(record: SnapshotRecord, rule: CaptureRule): Promise<CallbackEntryInput[]>;
  /** Told after a row and its `entries` entries were committed. */
  committed(entries: number): void;
}

export interface SnapshotStoreOptions {
  storage: StoreLookup;
  catalog: SnapshotCatalog;
  /** Optional: without it, no callbacks are recorded. */
  callbacks?: SnapshotCallbacks;
}

const JPEG = 'image/jpeg';

/**
 * Stores a capture under the rule's overwrite and/or sequence names and records each stored
 * object in the catalog, in that order: a row is written only after its object is durable,
 * and an object whose row cannot be written is removed again (sequence objects), so no row
 * points at nothing and no sequence object is left unrecorded. The row and its callback
 * outbox entries commit together.
 */
export class SnapshotStore implements SnapshotSink {
  readonly #storage: StoreLookup;
  readonly #catalog: SnapshotCatalog;
  readonly #callbacks: SnapshotCallbacks | undefined;

  constructor(options: SnapshotStoreOptions) {
    this.#storage = options.storage;
    this.#catalog = options.catalog;
    this.#callbacks = options.callbacks;
  }

  async store(snap: CapturedSnapshot): Promise<StoreOutcome> {
    const { rule, key } = snap;
    const stored: StoredSnapshot[] = [];
    const failures: Array<{ object?: string; error: unknown }> = [];
    let store: ObjectStore;
    try {
      store = this.#storage.get(rule.endpoint);
    } catch (error) {
      return { stored, failures: [{ error }] };
    }
    const stream = { domainName: key.domain, appName: key.app, streamName: key.stream };
    const vars = {
      appName: key.app,
      streamName: key.stream,
      unixTimestamp: Math.floor(snap.capturedAt / 1000),
      sequence: 0,
    };
    const targets: Array<{ template: string; isOverlay: boolean }> = [];
    if (rule.overwriteObject) targets.push({ template: rule.overwriteObject, isOverlay: true });
    if (rule.sequenceObject) targets.push({ template: rule.sequenceObject, isOverlay: false });

    for (const target of targets) {
      let object: string | undefined;
      try {
        if (!target.isOverlay) vars.sequence = await this.#catalog.nextSequence(stream);
        object = renderObjectName(target.template, vars);
        await store.put(rule.bucket, object, snap.jpeg, { contentType: JPEG });
      } catch (error) {
        failures.push({ object, error });
        continue;
      }
      const row: SnapshotRecord = {
        ...stream,
        ossEndpoint: rule.endpoint,
        ossBucket: rule.bucket,
        ossObject: object,
        createTimestamp: snap.capturedAt,
        isOverlay: target.isOverlay,
        width: snap.width,
        height: snap.height,
        size: snap.jpeg.length,
      };
      let announced: number;
      try {
        const callbacks = (await this.#callbacks?.entriesFor(row, rule)) ?? [];
        await this.#catalog.insertSnapshotRecord(row, callbacks);
        announced = callbacks.length;
      } catch (error) {
        if (!target.isOverlay) await store.delete(rule.bucket, object).catch(() => false);
        failures.push({ object, error });
        continue;
      }
      if (announced > 0) this.#callbacks?.committed(announced);
      stored.push({
        key,
        endpoint: rule.endpoint,
        bucket: rule.bucket,
        object,
        isOverlay: target.isOverlay,
        createTimestamp: snap.capturedAt,
        width: snap.width,
        height: snap.height,
        size: snap.jpeg.length,
        ...(rule.callback ? { callback: rule.callback } : {}),
      });
    }
    return { stored, failures };
  }
}
