import type { VideoCodec } from '../stream/stream-types.js';

/**
 * The result of parsing the body of one FLV video tag (= one RTMP video message), legacy
 * (codec id 7 H.264, codec id 12 HEVC) or Enhanced RTMP (FourCC avc1, hvc1, av01).
 */
export type VideoTag =
  | {
      readonly kind: 'config';
      readonly codec: VideoCodec;
      /** The decoder configuration record (avcC / hvcC / av1C). */
      readonly record: Buffer;
    }
  | {
      readonly kind: 'frame';
      readonly codec: VideoCodec;
      /** FLV frame type 1 (keyframe) — for h264/hevc cross-checked by the caller if needed. */
      readonly keyframe: boolean;
      /** Composition time offset in ms (signed); 0 for av1 and CodedFramesX. */
      readonly compositionTime: number;
      /** Length-prefixed NAL units (or OBUs for av1). A view into the message buffer. */
      readonly data: Buffer;
    }
  | { readonly kind: 'end-of-sequence'; readonly codec: VideoCodec }
  /** Anything valid we do not use: video info/command frames, metadata packets, other codecs. */
  | { readonly kind: 'ignored'; readonly reason: string };

/** Signature of the parser in src/media/flv-video.ts. Throws MediaFormatError on bad bytes. */
export type ParseVideoTag = (body: Buffer) => VideoTag;

/** Parsed decoder configuration record: what the hub reports about a stream. */
export interface ParameterSetInfo {
  readonly width: number;
  readonly height: number;
  readonly profile: string;
}
