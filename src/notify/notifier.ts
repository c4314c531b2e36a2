import type { Catalog } from '../catalog/catalog-types.js';
import type { SnapshotCallbacks } from '../capture/snapshot-store.js';
import { packageVersion } from '../cli.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { HttpCallbackSender, type CallbackSender } from './callback-sender.js';
import { LifecycleAnnouncer, type LifecycleSources } from './lifecycle-announcer.js';
import { plainObjectUrl, type ObjectUrl } from './object-url.js';
import { OutboxDispatcher, type DispatcherStats } from './outbox-dispatcher.js';
import { SnapshotAnnouncer } from './snapshot-announcer.js';

export type NotifyConfig = Config['notify'];

export interface NotifierOptions {
  catalog: Catalog;
  config: NotifyConfig;
  logger: Logger;
  /** Base of the default object URL (`<base>/storage/<bucket>/<object>`), read when used. */
  publicUrl: () => string;
  /** The callback `Url` of an object (e.g. a signed URL); default: the plain URL. */
  objectUrl?: ObjectUrl;
  /** Replaces the HTTP sender (tests). */
  sender?: CallbackSender;
  now?: () => number;
}

/**
 * Callbacks that are never lost (DESIGN.md §3): the snapshot sink writes outbox entries with
 * each record (`snapshots`), lifecycle events are written as they happen (`watch`), and the
 * dispatcher delivers the outbox. `start()` before capture runs; `close()` after it stopped.
 */
export class Notifier {
  /** Hand to SnapshotStore as `callbacks`. */
  readonly snapshots: SnapshotCallbacks;
  readonly #dispatcher: OutboxDispatcher;
  readonly #lifecycle: LifecycleAnnouncer;
  readonly #sender: CallbackSender;

  constructor(options: NotifierOptions) {
    const { catalog, config, logger } = options;
    const plainUrl = plainObjectUrl(options.publicUrl);
    const objectUrl = options.objectUrl ?? plainUrl;
    const wake = () => this.#dispatcher.wake();
    this.#sender =
      options.sender ??
      new HttpCallbackSender({
        timeoutMs: config.timeoutMs,
        maxBodyBytes: config.maxBodyBytes,
        perHostConcurrency: config.perHostConcurrency,
        concurrency: config.concurrency,
      });
    this.#dispatcher = new OutboxDispatcher({
      catalog,
      sender: this.#sender,
      policy: {
        maxAttempts: config.maxAttempts,
        baseDelayMs: config.backoffBaseMs,
        maxDelayMs: config.backoffCapMs,
      },
      concurrency: config.concurrency,
      perHostConcurrency: config.perHostConcurrency,
      pollIntervalMs: config.pollIntervalMs,
      deliveredRetentionMs: config.deliveredRetentionMs,
      deadRetentionMs: config.deadRetentionMs,
      objectUrl,
      userAgent: `livesnap/${packageVersion()}`,
      logger,
      ...(options.now ? { now: options.now } : {}),
    });
    this.snapshots = new SnapshotAnnouncer({
      catalog,
      objectUrl,
      plainUrl,
      wake,
      ...(options.now ? { now: options.now } : {}),
    });
    this.#lifecycle = new LifecycleAnnouncer({
      catalog,
      wake,
      logger,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  get stats(): DispatcherStats {
    return this.#dispatcher.stats;
  }

  /** Announce publish/unpublish and failed snapshots to the domains' NotifyUrl. */
  watch(sources: LifecycleSources): void {
    this.#lifecycle.attach(sources);
  }

  async start(): Promise<void> {
    await this.#dispatcher.start();
  }

  /** Entries were added behind the notifier's back (redelivery, CLI): deliver them now. */
  wake(): void {
    this.#dispatcher.wake();
  }

  async close(): Promise<void> {
    await this.#lifecycle.close();
    await this.#dispatcher.close();
    this.#sender.close();
  }
}
