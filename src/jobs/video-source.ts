import '../util/polyfill.js';
import { Codec, CodecContext, Frame, avGetCodecName } from 'node-av/lib';
import {
  AV_FRAME_FLAG_CORRUPT,
  AV_NOPTS_VALUE,
  AVERROR_EAGAIN,
  AVERROR_EOF,
} from 'node-av/constants';
import { JobError, JobErrorCode } from './job-errors.js';
import { formatMs } from './time-text.js';
import { VideoDemuxer, ffmpegFail, type DemuxerOptions, type KeyPacket } from './video-demuxer.js';
import type { VideoInfo } from './video-info.js';

export type { VideoInfo } from './video-info.js';

/** A decoded picture and its time from the start of the video. The caller frees `frame`. */
export interface Picture {
  readonly frame: Frame;
  readonly timeMs: number;
}

export interface VideoSourceOptions extends DemuxerOptions {
  /** How pictures are reached: `intra` decodes lone keyframes, `normal` decodes in order. */
  readonly mode: 'intra' | 'normal';
}

/** What a source has done so far (tests check that only what is kept gets decoded). */
export interface VideoSourceStats {
  /** Packets handed to the decoder. */
  decodedPackets: number;
  /** Pictures the decoder returned. */
  decodedFrames: number;
  /** Video packets read from the demuxer. */
  readPackets: number;
  seeks: number;
}

/** The stats of several sources on one input, added up. */
export function sumStats(stats: readonly Readonly<VideoSourceStats>[]): VideoSourceStats {
  const total: VideoSourceStats = { decodedPackets: 0, decodedFrames: 0, readPackets: 0, seeks: 0 };
  for (const s of stats) {
    total.decodedPackets += s.decodedPackets;
    total.decodedFrames += s.decodedFrames;
    total.readPackets += s.readPackets;
    total.seeks += s.seeks;
  }
  return total;
}

/** In-order decoding state (FrameType normal). */
interface Sequence {
  lastMs: number;
  /** A picture decoded past the last time asked for: the first candidate for the next. */
  ahead: Picture | undefined;
  drained: boolean;
}

/**
 * A video file or URL (any container and codec FFmpeg reads) from which snapshot jobs take
 * pictures without decoding what they do not keep:
 *
 * - `keyframeNear(t)` (FrameType intra): finds the keyframes either side of t, reading only
 *   packets up to them, and decodes the nearer one alone.
 * - `frameAt(t)` (FrameType normal): decodes from the keyframe at or before t to the frame
 *   shown at t. When the next time asked is close ahead (within a keyframe interval),
 *   decoding simply goes on instead of seeking back.
 *
 * Every FFmpeg call is async (libuv pool). close() frees everything.
 */
export class VideoSource {
  readonly info: VideoInfo;
  readonly #demuxer: VideoDemuxer;
  readonly #codec: CodecContext;
  #seq: Sequence | undefined;
  #closed = false;
  #decodedPackets = 0;
  #decodedFrames = 0;

  private constructor(demuxer: VideoDemuxer, codec: CodecContext) {
    this.#demuxer = demuxer;
    this.#codec = codec;
    this.info = demuxer.info;
  }

  /** Opens `url` (a file path or a URL FFmpeg reads) and its main video stream. */
  static async open(url: string, options: VideoSourceOptions): Promise<VideoSource> {
    const demuxer = await VideoDemuxer.open(url, options);
    const codec = new CodecContext();
    let ok = false;
    try {
      const par = demuxer.stream.codecpar;
      const decoder = Codec.findDecoder(par.codecId);
      const name = avGetCodecName(par.codecId) ?? 'unknown';
      if (!decoder) throw new JobError(JobErrorCode.DecodeFailed, `no decoder for ${name} video`);
      codec.allocContext3(decoder);
      let ret = codec.parametersToContext(par);
      if (ret < 0) throw ffmpegFail(JobErrorCode.DecodeFailed, `cannot set up ${name}`, ret);
      codec.pktTimebase = demuxer.stream.timeBase;
      // Lone keyframes come out at once with one thread; in-order decoding may use several.
      codec.threadCount = options.mode === 'intra' ? 1 : 0;
      ret = await codec.open2(decoder, null);
      if (ret < 0) throw ffmpegFail(JobErrorCode.DecodeFailed, `cannot open ${name}`, ret);
      ok = true;
      return new VideoSource(demuxer, codec);
    } finally {
      if (!ok) {
        codec.freeContext();
        await demuxer.close();
      }
    }
  }

  get stats(): Readonly<VideoSourceStats> {
    return {
      decodedPackets: this.#decodedPackets,
      decodedFrames: this.#decodedFrames,
      ...this.#demuxer.stats,
    };
  }

  /** The keyframe nearest to `ms` (the earlier one on a tie), decoded. */
  async keyframeNear(ms: number): Promise<Picture> {
    const before = await this.#demuxer.keyframeAtOrBefore(ms);
    let after: KeyPacket | undefined;
    if (!before || before.timeMs < ms) after = await this.#demuxer.keyframeAfter(ms, true);
    let chosen = before ?? after;
    if (before && after && after.timeMs - ms < ms - before.timeMs) chosen = after;
    try {
      if (!chosen) throw this.#noFrames(ms);
      this.#demuxer.checkTruncation(ms);
      return await this.#decodeAlone(chosen);
    } finally {
      before?.packet.free();
      after?.packet.free();
    }
  }

  /** The first keyframe shown after `ms`, decoded; undefined at the end of the video. */
  async keyframeAfter(ms: number): Promise<Picture | undefined> {
    const key = await this.#demuxer.keyframeAfter(ms, false);
    if (!key) return undefined;
    try {
      return await this.#decodeAlone(key);
    } finally {
      key.packet.free();
    }
  }

  /** The frame shown at `ms` (the last one starting at or before it), decoded. */
  async frameAt(ms: number): Promise<Picture> {
    const seq = this.#seq;
    const onward = seq !== undefined && ms > seq.lastMs && ms - seq.lastMs <= this.#demuxer.gopMs;
    if (!onward) await this.#restartAt(ms);
    let best: Picture | undefined;
    for (;;) {
      const next = await this.#nextInOrder();
      if (!next) break;
      if (next.timeMs <= ms || !best) {
        best?.frame.free();
        best = next;
        if (next.timeMs > ms) break;
      } else {
        this.#seq!.ahead = next;
        break;
      }
    }
    if (!best) throw this.#noFrames(ms);
    try {
      this.#demuxer.checkTruncation(ms);
    } catch (err) {
      best.frame.free();
      throw err;
    }
    this.#seq!.lastMs = best.timeMs;
    return this.#checked(best);
  }

  /** The frame after the one frameAt() or nextFrame() returned last; undefined at the end. */
  async nextFrame(): Promise<Picture | undefined> {
    if (!this.#seq) throw new Error('nextFrame() before frameAt()');
    const next = await this.#nextInOrder();
    if (!next) return undefined;
    this.#seq.lastMs = next.timeMs;
    return this.#checked(next);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropSequence();
    this.#codec.freeContext();
    await this.#demuxer.close();
  }

  /** Decodes one keyframe packet on its own. */
  async #decodeAlone(key: KeyPacket): Promise<Picture> {
    this.#demuxer.checkAbort();
    this.#dropSequence();
    const codec = this.#codec;
    const frame = new Frame();
    frame.alloc();
    let ok = false;
    try {
      codec.flushBuffers();
      this.#decodedPackets++;
      let ret = await codec.sendPacket(key.packet);
      if (ret < 0) throw this.#decodeFail(key.timeMs, ret);
      ret = await codec.receiveFrame(frame);
      if (ret === AVERROR_EAGAIN) {
        ret = await codec.sendPacket(null); // reordering delay: drain
        if (ret >= 0) ret = await codec.receiveFrame(frame);
      }
      if (ret < 0) throw this.#decodeFail(key.timeMs, ret);
      this.#decodedFrames++;
      ok = true;
    } finally {
      codec.flushBuffers();
      if (!ok) frame.free();
    }
    return this.#checked({ frame, timeMs: this.#frameMs(frame, key.timeMs) });
  }

  #frameMs(frame: Frame, fallback: number): number {
    const best = frame.bestEffortTimestamp;
    const ts = best !== AV_NOPTS_VALUE ? best : frame.pts;
    return ts === AV_NOPTS_VALUE ? fallback : this.#demuxer.tsToMs(ts);
  }

  #dropSequence(): void {
    this.#seq?.ahead?.frame.free();
    this.#seq = undefined;
  }

  /** Seeks to a keyframe at or before `ms` and starts decoding in order from it. */
  async #restartAt(ms: number): Promise<void> {
    this.#dropSequence();
    const key = await this.#demuxer.keyframeAtOrBefore(ms, false);
    if (!key) throw this.#noFrames(ms);
    try {
      this.#codec.flushBuffers();
      this.#decodedPackets++;
      const ret = await this.#codec.sendPacket(key.packet);
      if (ret < 0 && ret !== AVERROR_EAGAIN) throw this.#decodeFail(key.timeMs, ret);
    } finally {
      key.packet.free();
    }
    this.#seq = { lastMs: -Infinity, ahead: undefined, drained: false };
  }

  /** The next picture in display order from the running decode; undefined at the end. */
  async #nextInOrder(): Promise<Picture | undefined> {
    const seq = this.#seq!;
    if (seq.ahead) {
      const ahead = seq.ahead;
      seq.ahead = undefined;
      return ahead;
    }
    const demuxer = this.#demuxer;
    const frame = new Frame();
    frame.alloc();
    try {
      for (;;) {
        demuxer.checkAbort();
        const ret = await this.#codec.receiveFrame(frame);
        if (ret >= 0) {
          this.#decodedFrames++;
          return { frame, timeMs: this.#frameMs(frame, seq.lastMs) };
        }
        if (ret === AVERROR_EOF) break;
        if (ret !== AVERROR_EAGAIN) throw this.#decodeFail(seq.lastMs, ret);
        if (seq.drained) break;
        if (await demuxer.readVideoPacket()) {
          this.#decodedPackets++;
          // A damaged packet is refused or concealed; the picture wanted is checked later.
          await this.#codec.sendPacket(demuxer.packet);
        } else {
          seq.drained = true;
          await this.#codec.sendPacket(null);
        }
      }
    } catch (err) {
      frame.free();
      throw err;
    }
    frame.free();
    return undefined;
  }

  /** Rejects pictures FFmpeg had to conceal errors in. */
  #checked(picture: Picture): Picture {
    const f = picture.frame;
    if (f.decodeErrorFlags !== 0 || f.hasFlags(AV_FRAME_FLAG_CORRUPT) || f.width <= 0) {
      f.free();
      throw new JobError(
        JobErrorCode.DecodeFailed,
        `the frame at ${formatMs(picture.timeMs)} is damaged and cannot be decoded cleanly`,
      );
    }
    return picture;
  }

  #decodeFail(ms: number, ret: number): JobError {
    const at = Number.isFinite(ms) ? ` at ${formatMs(ms)}` : '';
    return ffmpegFail(JobErrorCode.DecodeFailed, `cannot decode the frame${at}`, ret);
  }

  #noFrames(ms: number): JobError {
    const d = this.info.durationMs;
    const length = d === undefined ? '' : ` (the video is ${formatMs(d)} long)`;
    return new JobError(
      JobErrorCode.NoFrames,
      `no video frame at ${formatMs(ms)}${length}: the input ends early or is truncated`,
    );
  }
}
