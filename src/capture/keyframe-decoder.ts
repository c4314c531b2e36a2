import type { AccessUnit, CodecConfig } from '../stream/stream-types.js';
import { BoundedPool, type BoundedPoolStats } from './bounded-pool.js';
import { KeyframeDecodeError } from './capture-errors.js';
import { CaptureWorkers, type KeyframeJpeg } from './capture-workers.js';
import { keyframeCodec } from './decode-keyframe.js';

export type { KeyframeJpeg };

export interface KeyframeDecoderOptions {
  /** Keyframes decoded at once (config capture.concurrency). */
  readonly concurrency: number;
  /** Keyframes waiting for a decoder before new ones are refused (config capture.backlog). */
  readonly backlog: number;
  /** Default JPEG quality 1–100 (config capture.jpegQuality). */
  readonly jpegQuality: number;
  /** A capture thread silent this long on one keyframe is stopped (default 30 s). */
  readonly timeoutMs?: number;
}

/**
 * Keyframe → JPEG for every stream: one decode and one JPEG encode per snapshot, in process,
 * on `concurrency` capture worker threads (capture-workers.ts), with a bounded backlog.
 * Shared by all streams; the per-stream state is only the stream's CodecConfig, which the
 * caller keeps and passes with each keyframe (a new sequence header, e.g. a resolution
 * change, simply comes with the next call). No native resource outlives a keyframe but each
 * worker's swscale context, kept for the next picture of the same kind; close() stops them.
 *
 * decode() rejects with CaptureOverloadedError (skip and count) when `concurrency` keyframes
 * are decoding and `backlog` are waiting, CaptureClosedError after close(),
 * UnsupportedCodecError for av1, KeyframeDecodeError / JpegEncodeError for bad pictures.
 */
export class KeyframeDecoder {
  private readonly pool: BoundedPool;
  private readonly jpegQuality: number;
  private readonly workers: CaptureWorkers;

  constructor(options: KeyframeDecoderOptions) {
    this.pool = new BoundedPool({ concurrency: options.concurrency, backlog: options.backlog });
    this.jpegQuality = options.jpegQuality;
    this.workers = new CaptureWorkers(options.concurrency, {
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /** Whether decode() would take a keyframe now (run or queue it) rather than refuse it. */
  accepting(): boolean {
    return this.pool.accepting;
  }

  /** Counts a keyframe the caller did not send because accepting() was false. */
  refused(): void {
    this.pool.countOverloaded();
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
    try {
      keyframeCodec(config.codec);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (unit.data.length === 0) return Promise.reject(new KeyframeDecodeError('empty keyframe'));
    const quality = options.jpegQuality ?? this.jpegQuality;
    return this.pool.run(() => this.workers.run(config, unit.data, quality));
  }

  /** Refuse new keyframes, drop waiting ones (CaptureClosedError), wait for running ones. */
  async close(): Promise<void> {
    await this.pool.close();
    await this.workers.close();
  }
}
