import '../util/polyfill.js';
import { Dictionary, FFmpegError, FormatContext, Packet, type Stream } from 'node-av/lib';
import {
  AV_NOPTS_VALUE,
  AVDISCARD_ALL,
  AVERROR_EOF,
  AVMEDIA_TYPE_VIDEO,
  AVSEEK_FLAG_BACKWARD,
  AVSEEK_FLAG_BYTE,
} from 'node-av/constants';
import { JobError, JobErrorCode } from './job-errors.js';
import { formatMs } from './time-text.js';
import { describeVideo, type VideoInfo } from './video-info.js';

/** A keyframe packet (a clone: whoever receives it frees it) and its time. */
export interface KeyPacket {
  readonly packet: Packet;
  readonly timeMs: number;
}

export interface DemuxerOptions {
  /** Aborts reading between packets (cancel, shutdown). */
  readonly signal?: AbortSignal;
  /** Network inputs: give up on a read that stalls this long. */
  readonly ioTimeoutMs?: number;
  /** FFmpeg protocols the input may use (protocol_whitelist), e.g. `file`. */
  readonly protocols?: string;
}

/** Gap (ms) assumed between keyframes until two have been seen in a row. */
const DEFAULT_GOP_MS = 2000;
/** Attempts to land on a keyframe at or before a time with formats that seek by bytes. */
const SEEK_ATTEMPTS = 4;
const US_PER_MS = 1000;
const DEFAULT_IO_TIMEOUT_MS = 30_000;
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

export function ffmpegFail(code: JobErrorCode, what: string, ret: number): JobError {
  return new JobError(code, `${what}: ${FFmpegError.strerror(ret)}`);
}

/**
 * The demuxing half of a VideoSource: an input opened with FFmpeg's demuxers (any container
 * FFmpeg reads; other streams discarded) and the keyframe packets of its video stream,
 * reached by seeking. Files without a keyframe index (FLV, MPEG-TS, MKV without cues) work
 * too: FFmpeg builds the index while it reads, or seeks by timestamps, and a seek that lands
 * after the time is retried earlier and the packets read forward (never decoded). It also
 * notices a file that ends before the length it claims. Times are ms from the start of the
 * video stream.
 */
export class VideoDemuxer {
  readonly info: VideoInfo;
  readonly stream: Stream;
  /** The packet the last readVideoPacket() read (valid until the next read). */
  readonly packet = new Packet();
  readonly stats = { readPackets: 0, seeks: 0 };
  readonly #fmt: FormatContext;
  readonly #signal: AbortSignal | undefined;
  readonly #startTs: bigint;
  readonly #tbNum: number;
  readonly #tbDen: number;
  #gopMs = DEFAULT_GOP_MS;
  #gopSeen = false;
  /** Largest pts − dts of a keyframe seen (B-frame reordering delay), ms. */
  #reorderMs = 0;
  #lastKeyMs: number | undefined;
  /** Time of the last video packet read since the last seek. */
  #lastReadMs: number | undefined;
  /** Where the data ended when reading hit the end of the input. */
  #dataEndMs: number | undefined;

  private constructor(fmt: FormatContext, stream: Stream, signal: AbortSignal | undefined) {
    this.#fmt = fmt;
    this.stream = stream;
    this.#signal = signal;
    this.packet.alloc();
    this.#tbNum = stream.timeBase.num;
    this.#tbDen = stream.timeBase.den;
    this.#startTs = stream.startTime !== AV_NOPTS_VALUE ? stream.startTime : 0n;
    this.info = describeVideo(fmt, stream, (ts) => this.tsToMs(ts));
  }

  /** Opens `url` (a file path or a URL FFmpeg reads) and picks its main video stream. */
  static async open(url: string, options: DemuxerOptions): Promise<VideoDemuxer> {
    const fmt = new FormatContext();
    let ok = false;
    try {
      const network = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
      const timeout = (options.ioTimeoutMs ?? DEFAULT_IO_TIMEOUT_MS) * US_PER_MS;
      const dict = Dictionary.fromObject({
        ...(options.protocols ? { protocol_whitelist: options.protocols } : {}),
        ...(network ? { rw_timeout: timeout } : {}),
      });
      let ret = await fmt.openInput(url, null, dict);
      if (ret < 0) throw ffmpegFail(JobErrorCode.InputUnreadable, 'cannot open the input', ret);
      const formats = (fmt.iformat?.name ?? '').split(',');
      const refused = (f: string) =>
        REFUSED_FORMATS.has(f) || (!network && REFUSED_LOCAL_FORMATS.has(f));
      if (formats.some(refused)) {
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
      if (stream.codecpar.width <= 0 || stream.codecpar.height <= 0) {
        throw new JobError(JobErrorCode.InputUnreadable, 'the video has no picture size');
      }
      const demuxer = new VideoDemuxer(fmt, stream, options.signal);
      ok = true;
      return demuxer;
    } finally {
      if (!ok) {
        await fmt.closeInput().catch(() => undefined);
        fmt.freeContext();
      }
    }
  }

  /** The longest keyframe interval seen (a default until two keyframes were seen). */
  get gopMs(): number {
    return this.#gopMs;
  }

  tsToMs(ts: bigint): number {
    return (Number(ts - this.#startTs) * this.#tbNum * 1000) / this.#tbDen;
  }

  #msToTs(ms: number): bigint {
    return this.#startTs + BigInt(Math.round((ms * this.#tbDen) / (this.#tbNum * 1000)));
  }

  packetMs(p: Packet): number | undefined {
    const ts = p.pts !== AV_NOPTS_VALUE ? p.pts : p.dts;
    return ts === AV_NOPTS_VALUE ? undefined : this.tsToMs(ts);
  }

  checkAbort(): void {
    if (this.#signal?.aborted) throw this.#signal.reason;
  }

  /** Reads the next packet of the video stream into `packet`; false at the end. */
  async readVideoPacket(): Promise<boolean> {
    for (;;) {
      this.checkAbort();
      this.packet.unref();
      const ret = await this.#fmt.readFrame(this.packet);
      if (ret === AVERROR_EOF) {
        if (this.#lastReadMs !== undefined) {
          this.#dataEndMs = Math.max(this.#dataEndMs ?? -Infinity, this.#lastReadMs);
        }
        return false;
      }
      if (ret < 0) throw ffmpegFail(JobErrorCode.InputUnreadable, 'cannot read the input', ret);
      if (this.packet.streamIndex === this.stream.index) {
        this.stats.readPackets++;
        const ms = this.packetMs(this.packet);
        if (ms !== undefined) this.#lastReadMs = Math.max(this.#lastReadMs ?? -Infinity, ms);
        if (this.packet.isKeyframe && ms !== undefined) this.#noteKeyframe(ms);
        return true;
      }
    }
  }

  /** Reads on to the next keyframe packet; undefined at the end. */
  async #readKeyframe(): Promise<KeyPacket | undefined> {
    while (await this.readVideoPacket()) {
      if (!this.packet.isKeyframe) continue;
      const timeMs = this.packetMs(this.packet);
      if (timeMs === undefined) continue;
      const packet = this.packet.clone();
      if (!packet) throw new JobError(JobErrorCode.InternalError, 'cannot copy a packet');
      return { packet, timeMs };
    }
    return undefined;
  }

  #noteKeyframe(ms: number): void {
    const p = this.packet;
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
   * start is reached by a seek well before it, else by bytes (formats that seek by
   * timestamps, such as MPEG-TS, do not land on keyframes): what works differs by format.
   */
  async #seek(ms: number, backward: boolean): Promise<void> {
    this.checkAbort();
    this.#lastKeyMs = undefined;
    this.#lastReadMs = undefined;
    this.stats.seeks++;
    const fmt = this.#fmt;
    const index = this.stream.index;
    if (ms <= 0) {
      if ((await fmt.seekFrame(index, this.#msToTs(-REWIND_MS), AVSEEK_FLAG_BACKWARD)) >= 0) return;
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
  async keyframeAtOrBefore(ms: number, walk = true): Promise<KeyPacket | undefined> {
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
  async keyframeAfter(ms: number, inclusive: boolean): Promise<KeyPacket | undefined> {
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

  /**
   * Throws when reading hit the end of the data before `ms` although the container says
   * the video is longer: the file is truncated (a picture taken now would silently be an
   * earlier one).
   */
  checkTruncation(ms: number): void {
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

  async close(): Promise<void> {
    this.packet.free();
    await this.#fmt.closeInput().catch(() => undefined);
    this.#fmt.freeContext();
  }
}
