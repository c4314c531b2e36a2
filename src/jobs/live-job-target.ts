import type {
  AccessUnit,
  CodecConfig,
  PublishInfo,
  PublishTarget,
  Publisher,
  StreamKey,
} from '../stream/stream-types.js';

/**
 * The hub as a job's pull session sees it: it remembers which job streams are being
 * published by their jobs right now, so that only those get a job's capture rule. A push to a
 * job's stream key from anywhere else (RTMP with `?vhost=`) is never snapshotted as the job.
 * The mark is set before the hub announces the stream (the capture engine looks the rule up
 * then) and cleared when the session closes its publisher.
 */
export class JobPublishTarget implements PublishTarget {
  readonly #hub: PublishTarget;
  readonly #publishing = new Set<string>();

  constructor(hub: PublishTarget) {
    this.#hub = hub;
  }

  /** Whether job `jobId`'s own session publishes its stream now. */
  isPublishing(jobId: string): boolean {
    return this.#publishing.has(jobId);
  }

  publish(key: StreamKey, info: PublishInfo): Publisher {
    const jobId = key.stream;
    this.#publishing.add(jobId);
    let inner: Publisher;
    try {
      inner = this.#hub.publish(key, info);
    } catch (err) {
      this.#publishing.delete(jobId);
      throw err;
    }
    let closed = false;
    return {
      key: inner.key,
      metadata: (meta: Readonly<Record<string, unknown>>) => inner.metadata(meta),
      videoConfig: (config: CodecConfig) => inner.videoConfig(config),
      accessUnit: (unit: AccessUnit) => inner.accessUnit(unit),
      endOfSequence: () => inner.endOfSequence(),
      close: (reason: string) => {
        if (!closed) this.#publishing.delete(jobId);
        closed = true;
        inner.close(reason);
      },
    };
  }
}
