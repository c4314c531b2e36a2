import '../util/polyfill.js';
import {
  Codec,
  CodecContext,
  Dictionary,
  FFmpegError,
  FormatContext,
  Frame,
  Packet,
  avGetCodecName,
  type Stream,
} from 'node-av/lib';
import {
  AV_FRAME_FLAG_CORRUPT,
  AV_NOPTS_VALUE,
  AV_PKT_DATA_DISPLAYMATRIX,
  AVDISCARD_ALL,
  AVERROR_EAGAIN,
  AVERROR_EOF,
  AVMEDIA_TYPE_VIDEO,
  AVSEEK_FLAG_BACKWARD,
  AVSEEK_FLAG_BYTE,
} from 'node-av/constants';
import { displayTransform, type DisplayTransform } from './display-matrix.js';
import { JobError, JobErrorCode } from './job-errors.js';

/** What a job needs to know about its input's video stream. */
export interface VideoInfo {
  /** Decoder name, e.g. h264, hevc, vp9, av1. */
  readonly codec: string;
  /** Decoded picture size. */
  readonly width: number;
  readonly height: number;
  /** Sample (pixel) aspect ratio; 1 when unknown. */
  readonly pixelAspect: number;
  readonly transform: DisplayTransform;
  /** The upright picture as players show it: pixel aspect applied, then rotated. */
  readonly displayWidth: number;
  readonly displayHeight: number;
  /** Length of the video, when the container says. */
  readonly durationMs: number | undefined;
}

/** A decoded picture and its time from the start of the video. The caller frees `frame`. */
export interface Picture {
  readonly frame: Frame;
  readonly timeMs: number;
}

export interface VideoSourceOptions {
  /** How pictures are reached: `intra` decodes lone keyframes, `normal` decodes in order. */
  readonly mode: 'intra' | 'normal';
  /** Aborts reading between packets (cancel, shutdown). */
  readonly signal?: AbortSignal;
  /** Network inputs: give up on a read that stalls this long. */
  readonly ioTimeoutMs?: number;
  /** FFmpeg protocols the input may use (protocol_whitelist), e.g. `file`. */
  readonly protocols?: string;
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

interface KeyPacket {
  readonly packet: Packet;
  readonly timeMs: number;
}

/** Gap (ms) up to which exact-frame extraction decodes on instead of seeking. */
const DEFAULT_GOP_MS = 2000;
/** Attempts to land on a keyframe at or before a time with formats that seek by bytes. */
const SEEK_ATTEMPTS = 4;
const US_PER_MS = 1000;
/**
 * Demuxers a job never uses: text rendered as video (tty), playlists of other files
 * (concat; hls too for local inputs), and pseudo formats.
 */
const REFUSED_FORMATS = new Set(['tty', 'concat', 'ffmetadata', 'lavfi']);
const REFUSED_LOCAL_FORMATS = new Set(['hls']);
/** Data ending this long before a time the container says exists means a truncated file. */
const TRUNCATION_SLACK_MS = 500;
/** How far before the start a rewind seeks. */
const REWIND_MS = 1000;

function ffmpegFail(code: JobErrorCode, what: string, ret: number): JobError {
  return new JobError(code, `${what}: ${FFmpegError.strerror(ret)}`);
}

/**
 * A video file or URL opened with FFmpeg's demuxers (any container and codec FFmpeg reads),
 * from which snapshot jobs take pictures without decoding what they do not keep:
 *
 * - `keyframeNear(t)` (FrameType intra): seeks to the keyframes either side of t, reading
 *   only packets up to them, and decodes the nearer one alone.
 * - `frameAt(t)` (FrameType normal): seeks to the keyframe at or before t and decodes from
 *   there to the frame shown at t. When the next time asked is close ahead (within about one
 *   keyframe interval) decoding simply goes on instead of seeking back.
 *
 * Files without a keyframe index (FLV, MPEG-TS, MKV without cues) work too: FFmpeg builds
 * the index while it reads, or seeks by bytes, and the seek is retried earlier when it lands
 * after the time. Every FFmpeg call is async (libuv pool). Times are ms from the start of the
 * video stream. close() frees everything.
 */
export class VideoSource {
  readonly info: VideoInfo;
  readonly #fmt: FormatContext;
  readonly #stream: Stream;
  readonly #codec: CodecContext;
  readonly #options: VideoSourceOptions;
  readonly #packet = new Packet();
  readonly #startTs: bigint;
  readonly #tbNum: number;
  readonly #tbDen: number;
  /** Sequential decoding state (normal mode). */
  #seq: { lastMs: number; ahead: Picture | undefined; drained: boolean } | undefined;
  #gopMs = DEFAULT_GOP_MS;
  #gopSeen = false;
  /** Largest pts − dts of a keyframe seen (B-frame reordering delay), ms. */
  #reorderMs = 0;
  #lastKeyMs: number | undefined;
  /** Time of the last video packet read since the last seek. */
  #lastReadMs: number | undefined;
  /** Where the data ended when reading hit the end of the input. */
  #dataEndMs: number | undefined;
  #closed = false;
  readonly #stats: VideoSourceStats = {
    decodedPackets: 0,
    decodedFrames: 0,
    readPackets: 0,
    seeks: 0,
  };

  private constructor(
    fmt: FormatContext,
    stream: Stream,
    codec: CodecContext,
    options: VideoSourceOptions,
  ) {
    this.#fmt = fmt;
    this.#stream = stream;
    this.#codec = codec;
    this.#options = options;
    this.#packet.alloc();
    const tb = stream.timeBase;
    this.#tbNum = tb.num;
    this.#tbDen = tb.den;
    this.#startTs = stream.startTime !== AV_NOPTS_VALUE ? stream.startTime : 0n;
    this.info = describe(fmt, stream, this.#tsToMs.bind(this));
  }

  /** Opens `url` (a file path or a URL FFmpeg reads) and its first video stream. */
  static async open(url: string, options: VideoSourceOptions): Promise<VideoSource> {
    const fmt = new FormatContext();
    const codec = new CodecContext();
    let ok = false;
    try {
      const network = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
      const dict = Dictionary.fromObject({
        ...(options.protocols ? { protocol_whitelist: options.protocols } : {}),
        ...(network ? { rw_timeout: (options.ioTimeoutMs ?? 30_000) * US_PER_MS } : {}),
      });
      let ret = await fmt.openInput(url, null, dict);
      if (ret < 0) throw ffmpegFail(JobErrorCode.InputUnreadable, 'cannot open the input', ret);
      const formats = (fmt.iformat?.name ?? '').split(',');
      const local = !network;
      if (formats.some((f) => REFUSED_FORMATS.has(f) || (local && REFUSED_LOCAL_FORMATS.has(f)))) {
        throw new JobError(
          JobErrorCode.InputUnreadable,
          `cannot open the input: not a video file (${formats[0]})`,
        );
      }
      ret = await fmt.findStreamInfo(null);
      if (ret < 0) throw ffmpegFail(JobErrorCode.InputUnreadable, 'cannot read the input', ret);
      const index = fmt.findBestStream(AVMEDIA_TYPE_VIDEO);
      if (index < 0) throw new JobError(JobErrorCode.NoVideoStream, 'the input has no video');
      const stream = fmt.streams[index]!;
      for (const other of fmt.streams) if (other.index !== index) other.discard = AVDISCARD_ALL;
      const par = stream.codecpar;
      const decoder = Codec.findDecoder(par.codecId);
      const name = avGetCodecName(par.codecId) ?? 'unknown';
      if (!decoder) throw new JobError(JobErrorCode.DecodeFailed, `no decoder for ${name} video`);
      if (par.width <= 0 || par.height <= 0) {
        throw new JobError(JobErrorCode.InputUnreadable, 'the video has no picture size');
      }
      codec.allocContext3(decoder);
      ret = codec.parametersToContext(par);
      if (ret < 0) throw ffmpegFail(JobErrorCode.DecodeFailed, `cannot set up ${name}`, ret);
      codec.pktTimebase = stream.timeBase;
      // Lone keyframes come out at once with one thread; in-order decoding may use several.
      codec.threadCount = options.mode === 'intra' ? 1 : 0;
      ret = await codec.open2(decoder, null);
      if (ret < 0) throw ffmpegFail(JobErrorCode.DecodeFailed, `cannot open ${name}`, ret);
      const source = new VideoSource(fmt, stream, codec, options);
      ok = true;
      return source;
    } finally {
      if (!ok) {
        codec.freeContext();
        await fmt.closeInput().catch(() => undefined);
        fmt.freeContext();
      }
    }
  }

  get stats(): Readonly<VideoSourceStats> {
    return { ...this.#stats };
  }

  /** The keyframe nearest to `ms` (the earlier one on a tie), decoded. */
  async keyframeNear(ms: number): Promise<Picture> {
    const before = await this.#keyframeAtOrBefore(ms);
    let after: KeyPacket | undefined;
    if (!before || before.timeMs < ms) after = await this.#keyframeAfter(ms, true);
    let chosen = before ?? after;
    if (before && after && after.timeMs - ms < ms - before.timeMs) chosen = after;
    try {
      if (!chosen) throw this.#noFrames(ms);
      this.#checkTruncation(ms);
      return await this.#decodeAlone(chosen);
    } finally {
      before?.packet.free();
      after?.packet.free();
    }
  }

  /** The first keyframe shown after `ms`, decoded; undefined at the end of the video. */
  async keyframeAfter(ms: number): Promise<Picture | undefined> {
    const key = await this.#keyframeAfter(ms, false);
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
    const continueOn = seq !== undefined && ms > seq.lastMs && ms - seq.lastMs <= this.#gopMs;
    if (!continueOn) await this.#restartAt(ms);
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
      this.#checkTruncation(ms);
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
    this.#seq?.ahead?.frame.free();
    this.#seq = undefined;
    this.#packet.free();
    this.#codec.freeContext();
    await this.#fmt.closeInput().catch(() => undefined);
    this.#fmt.freeContext();
  }

  // ── demuxing ──

  #msToTs(ms: number): bigint {
    return this.#startTs + BigInt(Math.round((ms * this.#tbDen) / (this.#tbNum * 1000)));
  }

  #tsToMs(ts: bigint): number {
    return (Number(ts - this.#startTs) * this.#tbNum * 1000) / this.#tbDen;
  }

  #packetMs(p: Packet): number | undefined {
    const ts = p.pts !== AV_NOPTS_VALUE ? p.pts : p.dts;
    return ts === AV_NOPTS_VALUE ? undefined : this.#tsToMs(ts);
  }

  #checkAbort(): void {
    const signal = this.#options.signal;
    if (signal?.aborted) throw signal.reason;
  }

  /** Reads the next packet of the video stream into #packet; false at the end. */
  async #readVideoPacket(): Promise<boolean> {
    for (;;) {
      this.#checkAbort();
      this.#packet.unref();
      const ret = await this.#fmt.readFrame(this.#packet);
      if (ret === AVERROR_EOF) {
        if (this.#lastReadMs !== undefined) {
          this.#dataEndMs = Math.max(this.#dataEndMs ?? -Infinity, this.#lastReadMs);
        }
        return false;
      }
      if (ret < 0) throw ffmpegFail(JobErrorCode.InputUnreadable, 'cannot read the input', ret);
      if (this.#packet.streamIndex === this.#stream.index) {
        this.#stats.readPackets++;
        const ms = this.#packetMs(this.#packet);
        if (ms !== undefined) this.#lastReadMs = Math.max(this.#lastReadMs ?? -Infinity, ms);
        return true;
      }
    }
  }

  /** Reads on to the next keyframe packet (a clone the caller frees); undefined at the end. */
  async #readKeyframe(): Promise<KeyPacket | undefined> {
    while (await this.#readVideoPacket()) {
      if (!this.#packet.isKeyframe) continue;
      const timeMs = this.#packetMs(this.#packet);
      if (timeMs === undefined) continue;
      this.#noteKeyframe(timeMs);
      const packet = this.#packet.clone();
      if (!packet) throw new JobError(JobErrorCode.InternalError, 'cannot copy a packet');
      return { packet, timeMs };
    }
    return undefined;
  }

  #noteKeyframe(ms: number): void {
    const p = this.#packet;
    if (p.pts !== AV_NOPTS_VALUE && p.dts !== AV_NOPTS_VALUE && p.pts > p.dts) {
      const delay = (Number(p.pts - p.dts) * this.#tbNum * 1000) / this.#tbDen;
      this.#reorderMs = Math.max(this.#reorderMs, delay);
    }
    const last = this.#lastKeyMs;
    if (last !== undefined && ms > last) {
      const gap = ms - last;
      this.#gopMs = this.#gopSeen ? Math.max(this.#gopMs, gap) : gap;
      this.#gopSeen = true;
    }
    this.#lastKeyMs = ms;
  }

  /**
   * Positions the demuxer for reading from about `ms` on: backward = at the last keyframe
   * at or before it where the format can tell, forward = at the first at or after it. The
   * start is reached by a seek well before it, else by bytes (formats that seek by timestamps,
   * such as MPEG-TS, do not land on keyframes): what works differs by format.
   */
  async #seek(ms: number, backward: boolean): Promise<void> {
    this.#checkAbort();
    this.#lastKeyMs = undefined;
    this.#lastReadMs = undefined;
    this.#stats.seeks++;
    const fmt = this.#fmt;
    const index = this.#stream.index;
    if (ms <= 0) {
      // The start: a time well before it (timestamp seeking lands early enough), else byte 0.
      const early = this.#msToTs(-REWIND_MS);
      if ((await fmt.seekFrame(index, early, AVSEEK_FLAG_BACKWARD)) >= 0) return;
      if ((await fmt.seekFrame(-1, 0n, AVSEEK_FLAG_BYTE)) >= 0) return;
    }
    const ts = this.#msToTs(Math.max(0, ms));
    let ret = backward
      ? await fmt.seekFrame(index, ts, AVSEEK_FLAG_BACKWARD)
      : await fmt.seekFrame(index, ts);
    if (ret < 0 && !backward) ret = await fmt.seekFrame(index, ts, AVSEEK_FLAG_BACKWARD);
    if (ret < 0 && ms <= 0) ret = 0; // the start: reading from where we are is close enough
    if (ret < 0) throw ffmpegFail(JobErrorCode.InputUnreadable, `cannot seek to ${ms} ms`, ret);
  }

  /**
   * The last keyframe at or before `ms` (or the first one when there is none before).
   * A seek that lands after the time (byte/timestamp-seeking formats, or an index keyed on
   * decoding times) or at the end is retried further back, and the packets from there are
   * read forward (not decoded) to the right keyframe. Without `walk` the earlier keyframe
   * is returned as it is and the demuxer stays right after it (to decode on from there).
   */
  async #keyframeAtOrBefore(ms: number, walk = true): Promise<KeyPacket | undefined> {
    let target = ms;
    let step = this.#gopMs;
    for (let attempt = 0; ; attempt++) {
      await this.#seek(target, true);
      const key = await this.#readKeyframe();
      if (key && key.timeMs <= ms) return attempt === 0 || !walk ? key : this.#walkTo(key, ms);
      if (target <= 0 || attempt === SEEK_ATTEMPTS - 1) return key;
      if (key) {
        // Just before the keyframe found (its decoding time), then ever further back.
        const dtsMs = key.timeMs - this.#reorderMs;
        target = Math.min(target, dtsMs - 1) - (attempt === 0 ? 0 : step);
        if (attempt > 0) step *= 2;
        key.packet.free();
      } else {
        target -= step;
        step *= 2;
      }
      target = Math.max(0, target);
    }
  }

  /** From keyframe `key` (≤ ms), reads on to the last keyframe at or before `ms`. */
  async #walkTo(key: KeyPacket, ms: number): Promise<KeyPacket> {
    let best = key;
    for (;;) {
      const next = await this.#readKeyframe();
      if (!next) return best;
      if (next.timeMs > ms) {
        next.packet.free();
        return best;
      }
      best.packet.free();
      best = next;
    }
  }

  /** The first keyframe at (when `inclusive`) or after `ms`. */
  async #keyframeAfter(ms: number, inclusive: boolean): Promise<KeyPacket | undefined> {
    const early = (k: KeyPacket) => (inclusive ? k.timeMs < ms : k.timeMs <= ms);
    // Indexes are keyed on decoding times, which run ahead of display times by the
    // reordering delay.
    await this.#seek(ms - this.#reorderMs, false);
    let key = await this.#readKeyframe();
    while (key && early(key)) {
      key.packet.free();
      key = await this.#readKeyframe();
    }
    return key;
  }

  // ── decoding ──

  /** Decodes one keyframe packet on its own. */
  async #decodeAlone(key: KeyPacket): Promise<Picture> {
    this.#checkAbort();
    this.#dropSequence();
    const codec = this.#codec;
    const frame = new Frame();
    frame.alloc();
    let ok = false;
    try {
      codec.flushBuffers();
      this.#stats.decodedPackets++;
      let ret = await codec.sendPacket(key.packet);
      if (ret < 0) throw this.#decodeFail(key.timeMs, ret);
      ret = await codec.receiveFrame(frame);
      if (ret === AVERROR_EAGAIN) {
        ret = await codec.sendPacket(null); // reordering delay: drain
        if (ret >= 0) ret = await codec.receiveFrame(frame);
      }
      if (ret < 0) throw this.#decodeFail(key.timeMs, ret);
      this.#stats.decodedFrames++;
      ok = true;
    } finally {
      codec.flushBuffers();
      if (!ok) frame.free();
    }
    return this.#checked({ frame, timeMs: this.#frameMs(frame, key.timeMs) });
  }

  #frameMs(frame: Frame, fallback: number): number {
    const ts = frame.bestEffortTimestamp !== AV_NOPTS_VALUE ? frame.bestEffortTimestamp : frame.pts;
    return ts === AV_NOPTS_VALUE ? fallback : this.#tsToMs(ts);
  }

  #dropSequence(): void {
    this.#seq?.ahead?.frame.free();
    this.#seq = undefined;
  }

  /** Seeks to the keyframe at or before `ms` and starts decoding in order from it. */
  async #restartAt(ms: number): Promise<void> {
    this.#dropSequence();
    const key = await this.#keyframeAtOrBefore(ms, false);
    if (!key) throw this.#noFrames(ms);
    try {
      this.#codec.flushBuffers();
      this.#stats.decodedPackets++;
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
    const frame = new Frame();
    frame.alloc();
    try {
      for (;;) {
        this.#checkAbort();
        const ret = await this.#codec.receiveFrame(frame);
        if (ret >= 0) {
          this.#stats.decodedFrames++;
          return { frame, timeMs: this.#frameMs(frame, seq.lastMs) };
        }
        if (ret === AVERROR_EOF) break;
        if (ret !== AVERROR_EAGAIN) throw this.#decodeFail(seq.lastMs, ret);
        if (seq.drained) break;
        if (await this.#readVideoPacket()) {
          if (this.#packet.isKeyframe) {
            const ms = this.#packetMs(this.#packet);
            if (ms !== undefined) this.#noteKeyframe(ms);
          }
          this.#stats.decodedPackets++;
          const sent = await this.#codec.sendPacket(this.#packet);
          // A damaged packet: the decoder conceals what it can; the picture is checked later.
          if (sent < 0 && sent !== AVERROR_EAGAIN && sent !== AVERROR_EOF) continue;
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

  /**
   * Reading hit the end of the data before `ms`, although the container says the video is
   * longer: the file is truncated (a picture taken now would silently be an earlier one).
   */
  #checkTruncation(ms: number): void {
    const end = this.#dataEndMs;
    const duration = this.info.durationMs;
    if (end === undefined || duration === undefined) return;
    if (ms > end + TRUNCATION_SLACK_MS && duration > end + TRUNCATION_SLACK_MS) {
      throw new JobError(
        JobErrorCode.NoFrames,
        `the input ends at ${formatMs(end)} although it says it lasts ${formatMs(duration)}: ` +
          `it is truncated (no frame at ${formatMs(ms)})`,
      );
    }
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

/** `12.345 s`. */
export function formatMs(ms: number): string {
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')} s`;
}

function describe(fmt: FormatContext, stream: Stream, tsToMs: (ts: bigint) => number): VideoInfo {
  const par = stream.codecpar;
  const sar = par.sampleAspectRatio.num > 0 ? par.sampleAspectRatio : stream.sampleAspectRatio;
  const pixelAspect = sar.num > 0 && sar.den > 0 ? sar.num / sar.den : 1;
  const transform = displayTransform(par.getCodedSideData(AV_PKT_DATA_DISPLAYMATRIX));
  const uprightW = Math.max(1, Math.round(par.width * pixelAspect));
  const uprightH = par.height;
  const quarter = transform.rotation === 90 || transform.rotation === 270;
  let durationMs: number | undefined;
  if (stream.duration > 0n && stream.duration !== AV_NOPTS_VALUE) {
    durationMs = tsToMs(
      stream.duration + (stream.startTime !== AV_NOPTS_VALUE ? stream.startTime : 0n),
    );
  } else if (fmt.duration > 0n && fmt.duration !== AV_NOPTS_VALUE) {
    durationMs = Number(fmt.duration) / US_PER_MS;
  }
  return {
    codec: avGetCodecName(par.codecId) ?? 'unknown',
    width: par.width,
    height: par.height,
    pixelAspect,
    transform,
    displayWidth: quarter ? uprightH : uprightW,
    displayHeight: quarter ? uprightW : uprightH,
    durationMs,
  };
}
