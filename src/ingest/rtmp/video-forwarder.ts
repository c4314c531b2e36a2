import { errorMessage, MediaFormatError } from '../../errors.js';
import type { ParameterSetInfo, ParseVideoTag } from '../../media/flv-types.js';
import type { Logger } from '../../log.js';
import type { CodecConfig, Publisher, VideoCodec } from '../../stream/stream-types.js';
import { TimestampExtender } from './timestamp-extender.js';

/** Parses a decoder configuration record (src/media/param-sets.ts). Throws on bad bytes. */
export type ParseCodecRecord = (codec: VideoCodec, record: Buffer) => ParameterSetInfo;

/** The media parsers a session needs, injected so tests can stub them. */
export interface VideoParsers {
  readonly parseVideoTag: ParseVideoTag;
  readonly parseCodecRecord: ParseCodecRecord;
}

export interface VideoStats {
  frames: number;
  keyframes: number;
  configs: number;
  ignored: number;
  malformed: number;
}

/** Log the first few bad tags of a stream, then one in this many. */
const MALFORMED_LOG_EVERY = 100;

/**
 * Turns RTMP video messages (FLV video tag bodies) into what the publisher expects: codec
 * configuration, access units with extended timestamps, end of sequence. Never decodes.
 */
export class VideoForwarder {
  readonly stats: VideoStats = { frames: 0, keyframes: 0, configs: 0, ignored: 0, malformed: 0 };
  private readonly timeline = new TimestampExtender();
  private lastRecord: Buffer | undefined;

  constructor(
    private readonly publisher: Publisher,
    private readonly parsers: VideoParsers,
    private readonly logger: Logger,
  ) {}

  /** One video message: its 32-bit timestamp and body. A malformed tag is dropped. */
  video(timestamp: number, body: Buffer): void {
    let tag;
    try {
      tag = this.parsers.parseVideoTag(body);
    } catch (err) {
      if (!(err instanceof MediaFormatError)) throw err;
      const n = ++this.stats.malformed;
      if (n <= 3 || n % MALFORMED_LOG_EVERY === 0) {
        this.logger.warn({ err: errorMessage(err), malformed: n }, 'dropped malformed video tag');
      }
      return;
    }
    switch (tag.kind) {
      case 'frame': {
        const dts = this.timeline.extend(timestamp);
        this.stats.frames++;
        if (tag.keyframe) this.stats.keyframes++;
        this.publisher.accessUnit({
          dts,
          pts: dts + tag.compositionTime,
          keyframe: tag.keyframe,
          data: tag.data,
        });
        return;
      }
      case 'config':
        this.stats.configs++;
        this.publisher.videoConfig(this.codecConfig(tag.codec, tag.record));
        return;
      case 'end-of-sequence':
        this.publisher.endOfSequence();
        return;
      case 'ignored':
        this.stats.ignored++;
        return;
    }
  }

  private codecConfig(codec: VideoCodec, tagRecord: Buffer): CodecConfig {
    // Kept for the whole publish: an own copy, not a view of the received bytes. Encoders that
    // repeat the sequence header before every keyframe get the same buffer back.
    const repeated = this.lastRecord?.equals(tagRecord) ?? false;
    const record = repeated ? this.lastRecord! : Buffer.from(tagRecord);
    let info: ParameterSetInfo = { width: 0, height: 0, profile: '' };
    try {
      info = this.parsers.parseCodecRecord(codec, record);
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err), codec },
        'could not parse the codec configuration record; size and profile unknown',
      );
    }
    const config: CodecConfig = {
      codec,
      record,
      width: info.width,
      height: info.height,
      profile: info.profile,
    };
    // Some encoders repeat the sequence header before every keyframe: log changes only.
    if (!repeated) {
      this.logger.info(
        { codec, width: config.width, height: config.height, profile: config.profile },
        'video codec configuration',
      );
    }
    this.lastRecord = record;
    return config;
  }
}
