import type { CaptureEngineEvents, SnapshotFailure } from '../capture/engine.js';
import type { Catalog } from '../catalog/catalog-types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { HubEvents, LiveStream } from '../stream/hub.js';
import type { TypedEmitter } from '../util/typed-emitter.js';
import { newCallbackEntry } from './callback-entries.js';
import {
  CallbackEvent,
  publishBody,
  snapshotFailedBody,
  unpublishBody,
} from './callback-events.js';

type Source<E extends { [K in keyof E]: unknown[] }> = Pick<TypedEmitter<E>, 'on' | 'off'>;

/** Where lifecycle events come from. */
export interface LifecycleSources {
  hub: Source<HubEvents>;
  engine: Source<CaptureEngineEvents>;
}

export interface LifecycleAnnouncerOptions {
  catalog: Pick<Catalog, 'getNotifySettings' | 'enqueueCallbacks'>;
  wake: () => void;
  logger: Logger;
  now?: () => number;
}

/** Lifecycle events being written at once; beyond this they are dropped (and logged). */
const MAX_PENDING_WRITES = 1000;

/**
 * Announces stream lifecycle events to the domain's NotifyUrl through the outbox:
 * LiveStreamPublish, LiveStreamUnpublish and LiveSnapshotFailed. Event handlers only start
 * a bounded asynchronous write; ingest and capture never wait for it.
 */
export class LifecycleAnnouncer {
  readonly #o: LifecycleAnnouncerOptions;
  readonly #pending = new Set<Promise<void>>();
  #sources: LifecycleSources | undefined;
  #dropped = 0;

  readonly #onPublished = (stream: LiveStream): void => {
    this.#announce(stream, CallbackEvent.LiveStreamPublish, () =>
      publishBody({
        ...stream.key,
        publishedAt: stream.startedAt,
        protocol: stream.info.protocol,
        remote: stream.info.remote,
      }),
    );
  };

  readonly #onUnpublished = (stream: LiveStream, reason: string): void => {
    const unpublishedAt = this.#now();
    this.#announce(stream, CallbackEvent.LiveStreamUnpublish, () =>
      unpublishBody({ ...stream.key, publishedAt: stream.startedAt, unpublishedAt, reason }),
    );
  };

  readonly #onFailed = (f: SnapshotFailure): void => {
    const failedAt = this.#now();
    this.#announce(f.stream, CallbackEvent.LiveSnapshotFailed, () =>
      snapshotFailedBody({
        ...f.stream.key,
        failedAt,
        stage: f.stage,
        error: f.error,
        endpoint: f.rule.endpoint,
        bucket: f.rule.bucket,
        ...(f.object !== undefined ? { object: f.object } : {}),
      }),
    );
  };

  constructor(options: LifecycleAnnouncerOptions) {
    this.#o = options;
  }

  attach(sources: LifecycleSources): void {
    this.detach();
    this.#sources = sources;
    sources.hub.on('stream.published', this.#onPublished);
    sources.hub.on('stream.unpublished', this.#onUnpublished);
    sources.engine.on('snapshot.failed', this.#onFailed);
  }

  detach(): void {
    const s = this.#sources;
    if (!s) return;
    s.hub.off('stream.published', this.#onPublished);
    s.hub.off('stream.unpublished', this.#onUnpublished);
    s.engine.off('snapshot.failed', this.#onFailed);
    this.#sources = undefined;
  }

  /** Stops listening and waits for the writes already started. */
  async close(): Promise<void> {
    this.detach();
    await Promise.allSettled([...this.#pending]);
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  #announce(stream: LiveStream, event: CallbackEvent, body: () => object): void {
    if (this.#pending.size >= MAX_PENDING_WRITES) {
      if (this.#dropped++ % 100 === 0) {
        this.#o.logger.warn({ event, dropped: this.#dropped }, 'lifecycle callbacks dropped');
      }
      return;
    }
    const write = this.#write(stream, event, body);
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  async #write(stream: LiveStream, event: CallbackEvent, body: () => object): Promise<void> {
    try {
      const settings = await this.#o.catalog.getNotifySettings(stream.key.domain);
      if (!settings?.notifyUrl) return;
      const entry = newCallbackEntry({
        event,
        domainName: stream.key.domain,
        url: settings.notifyUrl,
        body: JSON.stringify(body()),
        now: this.#now(),
      });
      await this.#o.catalog.enqueueCallbacks([entry]);
      this.#o.wake();
    } catch (err) {
      this.#o.logger.error(
        { event, stream: stream.id, err: errorMessage(err) },
        'lifecycle callback not recorded',
      );
    }
  }
}
