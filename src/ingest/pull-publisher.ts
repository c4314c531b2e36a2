import { StreamBusyError } from '../errors.js';
import type {
  AccessUnit,
  CodecConfig,
  PublishInfo,
  PublishTarget,
  Publisher,
  StreamKey,
} from '../stream/stream-types.js';
import { SourceUnavailableError, UnsupportedSourceError } from './pull-errors.js';

export interface PictureLimits {
  readonly maxWidth: number;
  readonly maxHeight: number;
}

/**
 * The hub side of one pull session. The stream is published only once the source gave a
 * codec configuration (a source that never sends usable video is never announced); it is
 * `live` from the first keyframe after that. Closing is idempotent.
 */
export class PullPublisher {
  #publisher: Publisher | undefined;
  #hasConfig = false;
  #live = false;
  #frames = 0;
  #closed = false;

  constructor(
    private readonly target: PublishTarget,
    private readonly key: StreamKey,
    private readonly info: PublishInfo,
    private readonly limits: PictureLimits,
  ) {}

  get live(): boolean {
    return this.#live;
  }

  get frames(): number {
    return this.#frames;
  }

  /** Throws UnsupportedSourceError for a picture over the limits. */
  config(config: CodecConfig): void {
    const { maxWidth, maxHeight } = this.limits;
    if (config.width > maxWidth || config.height > maxHeight) {
      throw new UnsupportedSourceError(
        `the picture size ${config.width}x${config.height} exceeds the limit of ${maxWidth}x${maxHeight}`,
      );
    }
    this.#open().videoConfig(config);
    this.#hasConfig = true;
  }

  /** Hands a unit on; true when it made the stream live (its first keyframe). */
  unit(unit: AccessUnit): boolean {
    if (!this.#hasConfig || !this.#publisher) return false;
    this.#publisher.accessUnit(unit);
    this.#frames++;
    if (this.#live || !unit.keyframe) return false;
    this.#live = true;
    return true;
  }

  endOfSequence(): void {
    this.#publisher?.endOfSequence();
  }

  close(reason: string): void {
    this.#closed = true;
    this.#publisher?.close(reason);
  }

  #open(): Publisher {
    if (this.#publisher) return this.#publisher;
    if (this.#closed) throw new SourceUnavailableError('the pull session is closed');
    try {
      this.#publisher = this.target.publish(this.key, this.info);
    } catch (err) {
      if (err instanceof StreamBusyError) {
        throw new SourceUnavailableError(`${err.message} (by another publisher)`, { cause: err });
      }
      throw err;
    }
    return this.#publisher;
  }
}
