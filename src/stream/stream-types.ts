/**
 * Public types of the stream hub: what ingest hands on and what subscribers (the capture
 * engine) receive. Ingest never decodes; these are compressed access units.
 */

/** Video codecs ingest understands. av1 is parsed and carried but not yet decoded. */
export type VideoCodec = 'h264' | 'hevc' | 'av1';

/** Identity of a live stream (DESIGN.md §3). */
export interface StreamKey {
  readonly domain: string;
  readonly app: string;
  readonly stream: string;
}

export function streamId(key: StreamKey): string {
  return `${key.domain}/${key.app}/${key.stream}`;
}

/** Codec configuration from a sequence header; a new one may arrive mid-stream. */
export interface CodecConfig {
  readonly codec: VideoCodec;
  /**
   * The decoder configuration record exactly as FLV carries it (AVCDecoderConfigurationRecord,
   * HEVCDecoderConfigurationRecord or AV1CodecConfigurationRecord): usable as FFmpeg extradata.
   */
  readonly record: Buffer;
  /** Coded size parsed from the parameter sets when available (0 when unknown). */
  readonly width: number;
  readonly height: number;
  /** e.g. "High", "Main", from the record; empty when unknown. */
  readonly profile: string;
}

/** One compressed picture. */
export interface AccessUnit {
  /** Decode timestamp in milliseconds (RTMP timeline, 32-bit extended by ingest). */
  readonly dts: number;
  /** Presentation timestamp in milliseconds (dts + composition time). */
  readonly pts: number;
  /** IDR / IRAP picture: decodable on its own with the current CodecConfig. */
  readonly keyframe: boolean;
  /**
   * Length-prefixed NAL units (4-byte lengths) for h264/hevc; OBUs for av1. Ingest may
   * assemble it only when first read (most units are never decoded): read it only if needed.
   */
  readonly data: Buffer;
  /** `data.length`, when known without reading `data`. */
  readonly byteLength?: number;
}

/** What a publisher told us when it started. */
export interface PublishInfo {
  /** Remote address of the publisher, for logs and status. */
  readonly remote: string;
  /** The RTMP tcUrl the client connected with. */
  readonly tcUrl: string;
  /** Query parameters of the publish name and tcUrl, merged. */
  readonly query: Readonly<Record<string, string>>;
  /** Ingest protocol, e.g. "rtmp", "rtmps", "pull". */
  readonly protocol: string;
}

/** The publishing side of one live stream, as ingest drives it. */
export interface Publisher {
  readonly key: StreamKey;
  metadata(meta: Readonly<Record<string, unknown>>): void;
  videoConfig(config: CodecConfig): void;
  accessUnit(unit: AccessUnit): void;
  /** The encoder signalled end of sequence; more may follow after a new config. */
  endOfSequence(): void;
  /** The publish ended (unpublish, disconnect, error). Idempotent. */
  close(reason: string): void;
}

/** What ingest needs from the hub: a way to start publishing. */
export interface PublishTarget {
  /** Throws StreamBusyError when the stream already has a publisher. */
  publish(key: StreamKey, info: PublishInfo): Publisher;
}
