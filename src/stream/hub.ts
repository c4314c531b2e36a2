import { StreamBusyError } from '../errors.js';
import type { Logger } from '../log.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { BoundedQueue } from './bounded-queue.js';
import {
  streamId,
  type AccessUnit,
  type CodecConfig,
  type PublishInfo,
  type PublishTarget,
  type Publisher,
  type StreamKey,
} from './stream-types.js';

/** What a subscriber receives, in order: the codec configuration first, then access units. */
export type StreamItem =
  | { readonly type: 'config'; readonly config: CodecConfig }
  /** `receivedAt`: performance.now() when ingest handed the unit to the hub. */
  | { readonly type: 'unit'; readonly unit: AccessUnit; readonly receivedAt: number }
  | { readonly type: 'end-of-sequence' };

/** Counters of one live stream, as status pages show them. */
export interface StreamCounters {
  frames: number;
  keyframes: number;
  bytes: number;
  /** dts (ms) of the last access unit, -1 before the first. */
  lastDts: number;
  /** Time between the last two keyframes (ms), 0 until two were seen. */
  keyframeIntervalMs: number;
  /** Access units refused by full subscriber queues, summed over subscribers. */
  dropped: number;
}

const DROP_LOG_EVERY = 100;

/** One consumer's view of a stream: a bounded queue that never stalls the publisher. */
export class Subscription {
  readonly name: string;
  #queue: BoundedQueue<StreamItem>;
  #dropped = 0;
  readonly #onDrop: (count: number) => void;

  constructor(name: string, capacity: number, onDrop: (count: number) => void) {
    this.name = name;
    this.#queue = new BoundedQueue(capacity);
    this.#onDrop = onDrop;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get pending(): number {
    return this.#queue.size;
  }

  /** @internal the hub delivers; configuration is never dropped (old units make room). */
  deliver(item: StreamItem): void {
    if (item.type === 'unit') {
      if (!this.#queue.push(item)) this.#drop(1);
      return;
    }
    const evicted = this.#queue.pushEvicting(item);
    if (evicted > 0) this.#drop(evicted);
  }

  #drop(count: number): void {
    this.#dropped += count;
    this.#onDrop(count);
  }

  next(): Promise<StreamItem | undefined> {
    return this.#queue.next();
  }

  /** Stops delivery; pending items are still readable, then `next()` yields undefined. */
  close(): void {
    this.#queue.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamItem> {
    return this.#queue[Symbol.asyncIterator]();
  }
}

/** A stream being published right now. */
export class LiveStream {
  readonly key: StreamKey;
  readonly id: string;
  readonly info: PublishInfo;
  readonly startedAt = Date.now();
  config: CodecConfig | undefined;
  metadata: Readonly<Record<string, unknown>> = {};
  readonly counters: StreamCounters = {
    frames: 0,
    keyframes: 0,
    bytes: 0,
    lastDts: -1,
    keyframeIntervalMs: 0,
    dropped: 0,
  };
  readonly #subscriptions = new Set<Subscription>();
  readonly #capacity: number;
  readonly #log: Logger;
  #lastKeyframeDts = -1;

  constructor(key: StreamKey, info: PublishInfo, capacity: number, log: Logger) {
    this.key = key;
    this.id = streamId(key);
    this.info = info;
    this.#capacity = capacity;
    this.#log = log;
  }

  /** Subscribes; the current codec configuration (if any) is the first item delivered. */
  subscribe(name: string, capacity = this.#capacity): Subscription {
    const sub = new Subscription(name, capacity, (count) => {
      const before = this.counters.dropped;
      this.counters.dropped += count;
      if (
        before === 0 ||
        Math.floor(before / DROP_LOG_EVERY) !== Math.floor(this.counters.dropped / DROP_LOG_EVERY)
      ) {
        this.#log.warn(
          { subscriber: name, dropped: this.counters.dropped },
          'subscriber queue full, access units dropped',
        );
      }
    });
    this.#subscriptions.add(sub);
    if (this.config) sub.deliver({ type: 'config', config: this.config });
    return sub;
  }

  unsubscribe(sub: Subscription): void {
    this.#subscriptions.delete(sub);
    sub.close();
  }

  get subscriberCount(): number {
    return this.#subscriptions.size;
  }

  /** @internal */
  setConfig(config: CodecConfig): void {
    this.config = config;
    this.#fanOut({ type: 'config', config });
  }

  /** @internal */
  addUnit(unit: AccessUnit): void {
    const c = this.counters;
    c.frames++;
    c.bytes += unit.byteLength ?? unit.data.length;
    c.lastDts = unit.dts;
    if (unit.keyframe) {
      c.keyframes++;
      if (this.#lastKeyframeDts >= 0 && unit.dts > this.#lastKeyframeDts) {
        c.keyframeIntervalMs = unit.dts - this.#lastKeyframeDts;
      }
      this.#lastKeyframeDts = unit.dts;
    }
    if (this.#subscriptions.size > 0) {
      this.#fanOut({ type: 'unit', unit, receivedAt: performance.now() });
    }
  }

  /** @internal */
  endOfSequence(): void {
    this.#fanOut({ type: 'end-of-sequence' });
  }

  /** @internal */
  end(): void {
    for (const sub of this.#subscriptions) sub.close();
    this.#subscriptions.clear();
  }

  #fanOut(item: StreamItem): void {
    for (const sub of this.#subscriptions) sub.deliver(item);
  }
}

export interface HubEvents {
  'stream.published': [stream: LiveStream];
  'stream.unpublished': [stream: LiveStream, reason: string];
}

export interface StreamHubOptions {
  logger: Logger;
  /** Default capacity of each subscriber's queue. */
  subscriberQueue: number;
}

/**
 * The hub of live streams: one publisher per (domain, app, stream). Ingest publishes into
 * it (it is ingest's PublishTarget); consumers subscribe to streams when they are
 * announced by `stream.published`.
 */
export class StreamHub extends TypedEmitter<HubEvents> implements PublishTarget {
  readonly #streams = new Map<string, LiveStream>();
  readonly #options: StreamHubOptions;

  constructor(options: StreamHubOptions) {
    super();
    this.#options = options;
  }

  publish(key: StreamKey, info: PublishInfo): Publisher {
    const id = streamId(key);
    if (this.#streams.has(id)) throw new StreamBusyError(id);
    const log = this.#options.logger.child({ stream: id });
    const stream = new LiveStream(key, info, this.#options.subscriberQueue, log);
    this.#streams.set(id, stream);
    log.info({ remote: info.remote, protocol: info.protocol }, 'publish started');
    this.emit('stream.published', stream);
    return new HubPublisher(stream, (reason) => {
      if (this.#streams.get(id) === stream) this.#streams.delete(id);
      stream.end();
      log.info(
        { reason, frames: stream.counters.frames, dropped: stream.counters.dropped },
        'publish stopped',
      );
      this.emit('stream.unpublished', stream, reason);
    });
  }

  get(key: StreamKey): LiveStream | undefined {
    return this.#streams.get(streamId(key));
  }

  list(): LiveStream[] {
    return [...this.#streams.values()];
  }

  /** Ends every stream's subscriptions (ingest closes its own connections). */
  close(): void {
    for (const stream of this.#streams.values()) stream.end();
    this.#streams.clear();
    this.removeAllListeners();
  }
}

class HubPublisher implements Publisher {
  readonly key: StreamKey;
  readonly #stream: LiveStream;
  readonly #onClose: (reason: string) => void;
  #closed = false;

  constructor(stream: LiveStream, onClose: (reason: string) => void) {
    this.key = stream.key;
    this.#stream = stream;
    this.#onClose = onClose;
  }

  metadata(meta: Readonly<Record<string, unknown>>): void {
    if (!this.#closed) this.#stream.metadata = meta;
  }

  videoConfig(config: CodecConfig): void {
    if (!this.#closed) this.#stream.setConfig(config);
  }

  accessUnit(unit: AccessUnit): void {
    if (!this.#closed) this.#stream.addUnit(unit);
  }

  endOfSequence(): void {
    if (!this.#closed) this.#stream.endOfSequence();
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose(reason);
  }
}
