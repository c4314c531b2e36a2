import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { LiveStream, StreamHub, Subscription } from '../stream/hub.js';
import type { AccessUnit, CodecConfig } from '../stream/stream-types.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { CaptureOverloadedError } from './capture-errors.js';
import type {
  CaptureRule,
  CaptureStatus,
  KeyframeEncoder,
  RuleSource,
  SnapshotSink,
  StoredSnapshot,
} from './engine-types.js';
import { IntervalRule } from './interval-rule.js';
import { KeyframeIntervalTracker } from './keyframe-interval.js';

export type FailureStage = 'decode' | 'storage';

export interface SnapshotFailure {
  readonly stream: LiveStream;
  readonly rule: CaptureRule;
  readonly stage: FailureStage;
  readonly error: string;
  readonly object?: string;
}

export interface CaptureEngineEvents {
  'snapshot.stored': [snapshot: StoredSnapshot];
  'snapshot.failed': [failure: SnapshotFailure];
}

export interface CaptureEngineOptions {
  hub: Pick<StreamHub, 'on' | 'off' | 'list'>;
  rules: RuleSource;
  encoder: KeyframeEncoder;
  sink: SnapshotSink;
  logger: Logger;
  metrics?: Metrics;
}

/**
 * The capture engine: for every published stream covered by a rule (fixed at publish start),
 * it follows the stream's access units, applies the interval rule, and turns the chosen
 * keyframes — only those — into JPEGs that the sink stores and records. Per-stream state is
 * the codec configuration plus counters.
 */
export class CaptureEngine extends TypedEmitter<CaptureEngineEvents> {
  readonly #options: CaptureEngineOptions;
  readonly #streams = new Map<LiveStream, StreamCapture>();
  readonly #onPublished = (stream: LiveStream) => this.#attach(stream);
  #closed = false;

  constructor(options: CaptureEngineOptions) {
    super();
    this.#options = options;
  }

  start(): void {
    this.#options.hub.on('stream.published', this.#onPublished);
    for (const stream of this.#options.hub.list()) this.#attach(stream);
  }

  /** Capture status of every live stream with a rule. */
  status(): CaptureStatus[] {
    return [...this.#streams.values()].map((c) => c.status());
  }

  /** Status of one stream (live streams without a rule too, when given the stream). */
  statusOf(stream: LiveStream): CaptureStatus {
    return this.#streams.get(stream)?.status() ?? StreamCapture.statusWithoutRule(stream);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#options.hub.off('stream.published', this.#onPublished);
    const running = [...this.#streams.values()];
    for (const capture of running) capture.stop();
    await Promise.all(running.map((c) => c.done));
    this.#streams.clear();
    this.removeAllListeners();
  }

  #attach(stream: LiveStream): void {
    if (this.#closed || this.#streams.has(stream)) return;
    // Subscribe at once so nothing published while the rule is looked up is missed.
    const sub = stream.subscribe('capture');
    const log = this.#options.logger.child({ stream: stream.id });
    const capture = new StreamCapture(stream, sub, this.#options, log, {
      stored: (s) => this.emit('snapshot.stored', s),
      failed: (f) => this.emit('snapshot.failed', f),
    });
    this.#streams.set(stream, capture);
    void capture.done.finally(() => this.#streams.delete(stream));
  }
}

interface Announce {
  stored(snapshot: StoredSnapshot): void;
  failed(failure: SnapshotFailure): void;
}

/** One stream's capture: rule, interval state, counters. */
class StreamCapture {
  readonly done: Promise<void>;
  readonly #stream: LiveStream;
  readonly #sub: Subscription;
  readonly #options: CaptureEngineOptions;
  readonly #log: Logger;
  readonly #announce: Announce;
  readonly #gop = new KeyframeIntervalTracker();
  #rule: CaptureRule | undefined;
  #interval: IntervalRule | undefined;
  #config: CodecConfig | undefined;
  #taken = 0;
  #skipped = 0;
  #failed = 0;
  #lastSnapshotAt: number | undefined;
  #lastCapturedAt = 0;
  #lastError: string | undefined;
  #gopTooLong = false;
  /** A due snapshot was skipped (decoder full) and is being retried on the next keyframes. */
  #retrying = false;
  /** Stores of this stream run one after another so overwrite objects end up newest. */
  #storeChain: Promise<void> = Promise.resolve();
  readonly #pending = new Set<Promise<void>>();

  constructor(
    stream: LiveStream,
    sub: Subscription,
    options: CaptureEngineOptions,
    log: Logger,
    announce: Announce,
  ) {
    this.#stream = stream;
    this.#sub = sub;
    this.#options = options;
    this.#log = log;
    this.#announce = announce;
    this.done = this.#run();
  }

  stop(): void {
    this.#sub.close();
  }

  async #run(): Promise<void> {
    try {
      const { domain, app, stream } = this.#stream.key;
      this.#rule = await this.#options.rules.resolveRule(domain, app, stream);
      if (!this.#rule) {
        this.#log.debug('no snapshot rule for this stream');
        return;
      }
      this.#interval = new IntervalRule(this.#rule.timeIntervalSec * 1000);
      this.#log.info(
        { rule: this.#rule.ruleApp, intervalSec: this.#rule.timeIntervalSec },
        'snapshot rule in force',
      );
      for (;;) {
        const item = await this.#sub.next();
        if (item === undefined) break;
        if (item.type === 'config') this.#config = item.config;
        else if (item.type === 'unit') this.#onUnit(item.unit, item.receivedAt);
      }
    } catch (err) {
      this.#log.error({ err: errorMessage(err) }, 'capture stopped by an error');
    } finally {
      this.#sub.close();
      this.#stream.unsubscribe(this.#sub);
      await Promise.allSettled([...this.#pending]);
    }
  }

  #onUnit(unit: AccessUnit, receivedAt: number): void {
    const rule = this.#rule!;
    if (unit.keyframe) {
      this.#gop.observe(unit.dts, true);
      if (!this.#gopTooLong && this.#gop.shouldWarnLongerThan(rule.timeIntervalSec * 1000)) {
        this.#gopTooLong = true;
        this.#log.warn(
          { keyframeIntervalMs: this.#gop.intervalMs, intervalSec: rule.timeIntervalSec },
          'keyframe interval is longer than the snapshot interval: snapshots follow keyframes',
        );
      }
    }
    if (!this.#interval!.decide(unit.dts, unit.keyframe)) return;
    const { encoder, metrics } = this.#options;
    if (encoder.accepting?.() === false) {
      // Full: skip this keyframe and let the next one be captured instead (not one interval
      // later), so an overload costs a keyframe interval, not a whole snapshot. Counted once
      // per snapshot due, however many keyframes it takes to get a decoder.
      this.#interval!.cancelLast();
      encoder.refused?.();
      if (this.#retrying) return;
      this.#retrying = true;
      this.#skipped++;
      metrics?.snapshots.inc({ outcome: 'skipped' });
      // Under lasting overload every keyframe is skipped: log the first and then 1 in 100.
      if (this.#skipped % 100 === 1) {
        this.#log.warn(
          { dts: unit.dts, skipped: this.#skipped },
          'snapshot skipped: decoder overloaded',
        );
      }
      return;
    }
    this.#retrying = false;
    const config = this.#config;
    if (!config) {
      this.#fail('decode', new Error('keyframe before any codec configuration'));
      return;
    }
    const task = this.#capture(rule, config, unit, receivedAt);
    this.#pending.add(task);
    void task.finally(() => this.#pending.delete(task));
  }

  async #capture(
    rule: CaptureRule,
    config: CodecConfig,
    unit: AccessUnit,
    receivedAt: number,
  ): Promise<void> {
    const metrics = this.#options.metrics;
    // Capture time is wall-clock time, kept at least a second after the previous capture of
    // this stream, so {UnixTimestamp} names and CreateTimestamp keys never collide even when
    // a stream is pushed faster than real time (live streams are >= 5 s apart anyway).
    const capturedAt = Math.max(Date.now(), this.#lastCapturedAt + 1000);
    this.#lastCapturedAt = capturedAt;
    // Decodes may run in parallel, but stores happen in capture order: the store slot is
    // taken now, before decoding, so sequence numbers and overwrite objects follow capture order.
    const decodeStart = performance.now();
    const decoding = this.#options.encoder.decode(config, unit);
    decoding.catch(() => {}); // handled in the store slot below
    const storing = this.#storeChain.then(async () => {
      let encoded;
      try {
        encoded = await decoding;
        metrics?.decodeSeconds.observe((performance.now() - decodeStart) / 1000);
      } catch (err) {
        if (err instanceof CaptureOverloadedError) {
          this.#skipped++;
          metrics?.snapshots.inc({ outcome: 'skipped' });
          this.#log.warn({ dts: unit.dts }, 'snapshot skipped: decoder overloaded');
        } else {
          this.#fail('decode', err);
        }
        return;
      }
      const outcome = await this.#options.sink.store({
        key: this.#stream.key,
        rule,
        jpeg: encoded.jpeg,
        width: encoded.width,
        height: encoded.height,
        capturedAt,
        streamTs: unit.dts,
      });
      for (const failure of outcome.failures) this.#fail('storage', failure.error, failure.object);
      if (outcome.stored.length > 0) {
        this.#taken++;
        this.#lastSnapshotAt = capturedAt;
        metrics?.snapshots.inc({ outcome: 'stored' });
        metrics?.objectsStored.inc(outcome.stored.length);
        metrics?.snapshotLatency.observe((performance.now() - receivedAt) / 1000);
        this.#log.debug(
          { objects: outcome.stored.map((s) => s.object), width: encoded.width },
          'snapshot stored',
        );
        for (const stored of outcome.stored) this.#announce.stored(stored);
      }
    });
    this.#storeChain = storing.catch(() => {});
    try {
      await storing;
    } catch (err) {
      this.#fail('storage', err);
    }
  }

  #fail(stage: FailureStage, err: unknown, object?: string): void {
    this.#failed++;
    this.#lastError = `${stage}: ${errorMessage(err)}`;
    this.#options.metrics?.snapshots.inc({ outcome: 'failed' });
    this.#log.error({ stage, object, err: errorMessage(err) }, 'snapshot failed');
    this.#announce.failed({
      stream: this.#stream,
      rule: this.#rule!,
      stage,
      error: errorMessage(err),
      ...(object ? { object } : {}),
    });
  }

  status(): CaptureStatus {
    return {
      ...StreamCapture.statusWithoutRule(this.#stream),
      rule: this.#rule,
      keyframeIntervalTooLong: this.#gopTooLong,
      taken: this.#taken,
      skipped: this.#skipped,
      failed: this.#failed,
      lastSnapshotAt: this.#lastSnapshotAt,
      lastError: this.#lastError,
    };
  }

  static statusWithoutRule(stream: LiveStream): CaptureStatus {
    const config = stream.config;
    return {
      domain: stream.key.domain,
      app: stream.key.app,
      stream: stream.key.stream,
      rule: undefined,
      codec: config?.codec ?? '',
      width: config?.width ?? 0,
      height: config?.height ?? 0,
      keyframeIntervalMs: stream.counters.keyframeIntervalMs,
      keyframeIntervalTooLong: false,
      taken: 0,
      skipped: 0,
      failed: 0,
      lastSnapshotAt: undefined,
      lastError: undefined,
    };
  }
}
