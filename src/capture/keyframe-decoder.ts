import type { AccessUnit, CodecConfig } from '../stream/stream-types.js';
import { BoundedPool, type BoundedPoolStats } from './bounded-pool.js';
import { KeyframeDecodeError } from './capture-errors.js';
import { decodeKeyframe } from './decode-keyframe.js';
import { frameToJpeg, ScalerPool } from './frame-to-jpeg.js';

export interface KeyframeDecoderOptions {
  /** Keyframes decoded at once (config capture.concurrency). */
  readonly concurrency: number;
  /** Keyframes waiting for a decoder before new ones are refused (config capture.backlog). */
  readonly backlog: number;
  /** Default JPEG quality 1–100 (config capture.jpegQuality). */
  readonly jpegQuality: number;
}

/** One snapshot: the JPEG and the picture's display size. */
export interface KeyframeJpeg {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * Keyframe → JPEG for every stream: one decode and one JPEG encode per snapshot, in process,
 * off the event loop, with bounded concurrency and a bounded backlog. Shared by all streams;
 * the per-stream state is only the stream's CodecConfig, which the caller keeps and passes
 * with each keyframe (a new sequence header, e.g. a resolution change, simply comes with the
 * next call). No native resource outlives a call but the few swscale contexts kept for reuse
 * (at most `concurrency`, freed by close()).
 *
 * decode() rejects with CaptureOverloadedError (skip and count) when `concurrency` keyframes
 * are decoding and `backlog` are waiting, CaptureClosedError after close(),
 * UnsupportedCodecError for av1, KeyframeDecodeError / JpegEncodeError for bad pictures.
 */
export class KeyframeDecoder {
  private readonly pool: BoundedPool;
  private readonly jpegQuality: number;
  /** swscale contexts reused across snapshots: one per concurrent conversion at most. */
  private readonly scalers: ScalerPool;

  constructor(options: KeyframeDecoderOptions) {
    this.pool = new BoundedPool({ concurrency: options.concurrency, backlog: options.backlog });
    this.jpegQuality = options.jpegQuality;
    this.scalers = new ScalerPool(options.concurrency);
  }

  /** Running / waiting keyframes and counters (completed, failed, overloaded). */
  get stats(): BoundedPoolStats {
    return this.pool.stats;
  }

  /**
   * Decode `unit` (a keyframe of the stream described by `config`) into a JPEG. The unit's
   * bytes are held until the call settles: callers should not mutate them meanwhile.
   */
  decode(
    config: CodecConfig,
    unit: AccessUnit,
    options: { readonly jpegQuality?: number } = {},
  ): Promise<KeyframeJpeg> {
    if (!unit.keyframe) {
      return Promise.reject(new KeyframeDecodeError('not a keyframe: it cannot be decoded alone'));
    }
    const quality = options.jpegQuality ?? this.jpegQuality;
    return this.pool.run(async () => {
      const frame = await decodeKeyframe(config, unit.data);
      try {
        const jpeg = await frameToJpeg(frame, quality, this.scalers);
        return { jpeg, width: frame.width, height: frame.height };
      } finally {
        frame.free();
      }
    });
  }

  /** Refuse new keyframes, drop waiting ones (CaptureClosedError), wait for running ones. */
  async close(): Promise<void> {
    await this.pool.close();
    this.scalers.close();
  }
}
