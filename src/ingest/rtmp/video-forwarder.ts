import { errorMessage, MediaFormatError } from '../../errors.js';
import type { ParameterSetInfo, ParseVideoTag } from '../../media/flv-types.js';
import { EX_HEADER_FLAG, ExVideoPacketType } from '../../media/flv-video-constants.js';
import type { Logger } from '../../log.js';
import type { AccessUnit, CodecConfig, Publisher, VideoCodec } from '../../stream/stream-types.js';
import type { DeferredPayload } from './chunk-reader.js';
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
 * An access unit whose data is still the message's chunks: assembled when first read. Most
 * frames are never read (only the keyframes that become snapshots are decoded).
 */
class DeferredUnit implements AccessUnit {
  readonly byteLength: number;
  #data: Buffer | undefined;

  constructor(
    readonly dts: number,
    readonly pts: number,
    readonly keyframe: boolean,
    private readonly body: DeferredPayload,
    private readonly offset: number,
  ) {
    this.byteLength = body.length - offset;
  }

  get data(): Buffer {
    return (this.#data ??= this.body.full().subarray(this.offset));
  }
}

/**
 * A video tag whose frame data runs from its header to the end of the body (one track):
 * legacy tags, and Enhanced RTMP coded frames without ModEx or multitrack wrapping.
 */
function singleTrack(first: number): boolean {
  if (!(first & EX_HEADER_FLAG)) return true;
  const packetType = first & 0x0f;
  return (
    packetType === ExVideoPacketType.CodedFrames || packetType === ExVideoPacketType.CodedFramesX
  );
}

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

  /**
   * One video message: its 32-bit timestamp and body. A malformed tag is dropped. A body not
   * assembled yet stays so when its first chunk holds the whole tag header of a frame.
   */
  video(timestamp: number, body: Buffer | DeferredPayload): void {
    if (!Buffer.isBuffer(body)) {
      if (this.deferredFrame(timestamp, body)) return;
      body = body.full();
    }
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
        this.countFrame(tag.keyframe);
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

  /** A frame parsed from the first chunk alone, its data left unassembled; false: parse it all. */
  private deferredFrame(timestamp: number, body: DeferredPayload): boolean {
    const { head } = body;
    if (head.length === 0 || !singleTrack(head[0]!)) return false;
    let tag;
    try {
      tag = this.parsers.parseVideoTag(head);
    } catch {
      return false; // the whole body decides (and reports)
    }
    if (
      tag.kind !== 'frame' ||
      tag.data.byteOffset + tag.data.length !== head.byteOffset + head.length
    ) {
      return false;
    }
    const dts = this.timeline.extend(timestamp);
    this.countFrame(tag.keyframe);
    const offset = tag.data.byteOffset - head.byteOffset;
    const pts = dts + tag.compositionTime;
    this.publisher.accessUnit(new DeferredUnit(dts, pts, tag.keyframe, body, offset));
    return true;
  }

  private countFrame(keyframe: boolean): void {
    this.stats.frames++;
    if (keyframe) this.stats.keyframes++;
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
