import type { Catalog } from '../catalog/catalog-types.js';
import type { ObjectStore } from '../storage/object-store-types.js';
import { renderObjectName } from '../storage/object-name.js';
import type {
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

export interface SnapshotStoreOptions {
  storage: StoreLookup;
  catalog: SnapshotCatalog;
}

const JPEG = 'image/jpeg';

/**
 * Stores a capture under the rule's overwrite and/or sequence names and records each stored
 * object in the catalog, in that order: a row is written only after its object is durable,
 * and an object whose row cannot be written is removed again (sequence objects), so no row
 * points at nothing and no sequence object is left unrecorded.
 */
export class SnapshotStore implements SnapshotSink {
  readonly #storage: StoreLookup;
  readonly #catalog: SnapshotCatalog;

  constructor(options: SnapshotStoreOptions) {
    this.#storage = options.storage;
    this.#catalog = options.catalog;
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
      const row = {
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
      try {
        await this.#catalog.insertSnapshotRecord(row);
      } catch (error) {
        if (!target.isOverlay) await store.delete(rule.bucket, object).catch(() => false);
        failures.push({ object, error });
        continue;
      }
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
