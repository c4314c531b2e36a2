import '../util/polyfill.js';
import {
  AV_CODEC_ID_H264,
  AV_CODEC_ID_HEVC,
  AV_NOPTS_VALUE,
  AV_PKT_DATA_NEW_EXTRADATA,
  AVDISCARD_ALL,
  AVERROR_EOF,
  AVMEDIA_TYPE_VIDEO,
} from 'node-av/constants';
import { avGetCodecName, Dictionary, FormatContext, Packet, type IRational } from 'node-av/lib';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { PublishTarget, StreamKey } from '../stream/stream-types.js';
import { classifyCode, ffmpegText, pullError, timeoutMessage } from './pull-classify.js';
import {
  BadSourceError,
  isPullError,
  SourceUnavailableError,
  UnsupportedSourceError,
  type PullError,
  type PullOutcome,
} from './pull-errors.js';
import { probeTcp } from './pull-probe.js';
import { PullPublisher } from './pull-publisher.js';
import { ffmpegOptions, type PullSource } from './pull-url.js';
import { PulledVideo, type PulledCodec, type PulledVideoLimits } from './pull-video.js';
import { PullWatchdog } from './pull-watchdog.js';

/**
 * Pulled ingest (DESIGN §1): one session that opens a source URL with FFmpeg's protocols and
 * demuxers (rtmp/rtmps, rtsp/rtsps, srt, HLS and HTTP-FLV over http/https), reads the
 * packets of its first H.264 / HEVC video stream WITHOUT decoding, and publishes them into
 * the stream hub as codec configurations and access units (src/ingest/pull-video.ts does the
 * framing), exactly like RTMP ingest does. Other streams are discarded in the demuxer.
 *
 * Bounded: the open, the wait for usable video and every wait for more video have deadlines
 * (a watchdog interrupts the blocking FFmpeg call, FFmpeg's own rw_timeout backs it up);
 * container probing reads at most 1 MB; pictures and packets over the limits end the
 * session. Nothing is buffered here beyond the packet being converted.
 *
 * A session ends with a PullOutcome: `aborted` (its signal), `ended` (the source ended the
 * stream) or `failed` with a typed PullError saying whether the source is unavailable, bad or
 * unsupported (src/ingest/pull-errors.ts). Reconnecting is the caller's business.
 *
 * Note: a blocked FFmpeg read occupies one libuv thread-pool thread for as long as it waits
 * (node-av runs FFmpeg calls there), so UV_THREADPOOL_SIZE should exceed the number of
 * sources pulled at once.
 */

export interface PullLimits extends PulledVideoLimits {
  readonly openTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly startTimeoutMs: number;
}

export interface PullSessionOptions {
  readonly source: PullSource;
  /** The hub stream the source is published as. */
  readonly key: StreamKey;
  readonly target: PublishTarget;
  readonly limits: PullLimits;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Called once, when the source delivered its first keyframe (after a configuration). */
  readonly onLive?: () => void;
}

/** Longest TCP probe after an ambiguous open failure. */
const PROBE_TIMEOUT_MS = 5000;

export function pullSession(options: PullSessionOptions): Promise<PullOutcome> {
  return new FfmpegPull(options).run();
}

function toMs(ts: bigint, tb: IRational): number | undefined {
  if (ts === AV_NOPTS_VALUE || tb.den === 0) return undefined;
  return (Number(ts) * 1000 * tb.num) / tb.den;
}

class FfmpegPull {
  readonly #o: PullSessionOptions;
  readonly #ctx = new FormatContext();
  readonly #dog = new PullWatchdog(() => this.#ctx.interrupt());
  readonly #publisher: PullPublisher;
  #video: PulledVideo | undefined;
  #videoIndex = -1;
  #timeBase: IRational = { num: 1, den: 1000 };
  #lastDts = 0;
  #packets = 0;

  constructor(o: PullSessionOptions) {
    this.#o = o;
    const { source } = o;
    this.#publisher = new PullPublisher(
      o.target,
      o.key,
      {
        remote: `${source.host}:${source.port}`,
        tcUrl: source.redacted,
        query: {},
        protocol: 'pull',
      },
      o.limits,
    );
  }

  async run(): Promise<PullOutcome> {
    const { signal, limits, source } = this.#o;
    if (signal.aborted) return this.#outcome('aborted');
    const onAbort = () => this.#dog.fire('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    const packet = new Packet();
    let opened = false;
    let endReason = 'pull ended';
    try {
      packet.alloc();
      this.#ctx.allocContext();
      this.#dog.expect('open-timeout', limits.openTimeoutMs);
      const options = Dictionary.fromObject(ffmpegOptions(source, limits));
      const ret = await this.#ctx.openInput(source.url, null, options);
      if (ret < 0) return await this.#failOpen(ret);
      opened = true;
      this.#discardNonVideo();
      this.#dog.expect('start-timeout', limits.startTimeoutMs);
      for (;;) {
        const r = await this.#ctx.readFrame(packet);
        if (r < 0) return this.#failRead(r);
        try {
          this.#onPacket(packet);
        } finally {
          packet.unref();
        }
      }
    } catch (err) {
      const error = isPullError(err)
        ? err
        : new BadSourceError(`pulling failed: ${errorMessage(err)}`, { cause: err });
      endReason = error.message;
      return this.#outcome('failed', error);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#dog.stop();
      this.#publisher.close(endReason);
      packet.free();
      if (opened) await this.#ctx.closeInput().catch(() => {});
      this.#ctx.freeContext();
    }
  }

  #outcome(end: PullOutcome['end'], error?: PullError): PullOutcome {
    const { live, frames } = this.#publisher;
    return error ? { live, frames, end, error } : { live, frames, end };
  }

  async #failOpen(code: number): Promise<PullOutcome> {
    const { source, limits, signal } = this.#o;
    const reason = this.#dog.reason;
    if (reason === 'aborted') return this.#outcome('aborted');
    const text =
      reason === 'open-timeout'
        ? timeoutMessage(reason, limits.openTimeoutMs)
        : `cannot open the source: ${ffmpegText(code)}`;
    const kind = reason === 'open-timeout' ? 'ambiguous' : classifyCode(code);
    if (kind !== 'ambiguous') return this.#outcome('failed', pullError(kind, text));
    if (source.protocol === 'srt') {
      return this.#outcome('failed', new SourceUnavailableError(text));
    }
    const unreachable = await probeTcp(source.host, source.port, PROBE_TIMEOUT_MS, signal);
    if (signal.aborted) return this.#outcome('aborted');
    if (unreachable) {
      return this.#outcome(
        'failed',
        new SourceUnavailableError(`${text} (${unreachable.message})`),
      );
    }
    return this.#outcome(
      'failed',
      new BadSourceError(
        `${text}: ${source.host}:${source.port} accepts connections but does not answer as a ${source.scheme} source`,
      ),
    );
  }

  #failRead(code: number): PullOutcome {
    const { limits } = this.#o;
    const reason = this.#dog.reason;
    if (reason === 'aborted') return this.#outcome('aborted');
    if (reason === undefined && code === AVERROR_EOF) return this.#outcome('ended');
    if (this.#publisher.live) {
      const why =
        reason === 'read-timeout' ? timeoutMessage(reason, limits.readTimeoutMs) : ffmpegText(code);
      return this.#outcome('failed', new SourceUnavailableError(`the stream broke off: ${why}`));
    }
    if (reason === 'start-timeout' || this.#packets === 0) {
      const within = `within ${limits.startTimeoutMs} ms of connecting`;
      if (this.#packets === 0) {
        const detail = reason ? `no data ${within}` : `no data (${ffmpegText(code)})`;
        return this.#outcome('failed', new SourceUnavailableError(`connected, but ${detail}`));
      }
      const what = this.#video
        ? `no decodable ${this.#video.codec} video (codec configuration and keyframe) ${within}`
        : `no video stream ${within}`;
      return this.#outcome('failed', new BadSourceError(what));
    }
    const kind = classifyCode(code) === 'bad' ? 'bad' : 'unavailable';
    return this.#outcome('failed', pullError(kind, `reading failed: ${ffmpegText(code)}`));
  }

  #onPacket(packet: Packet): void {
    this.#packets++;
    if (packet.streamIndex !== this.#videoIndex) {
      if (this.#videoIndex >= 0 || !this.#select(packet.streamIndex)) return;
    }
    const data = packet.data;
    if (!data) return;
    const tb = this.#timeBase;
    const dts = toMs(packet.dts, tb) ?? toMs(packet.pts, tb) ?? this.#lastDts;
    const pts = toMs(packet.pts, tb) ?? dts;
    this.#lastDts = dts;
    const newExtradata = packet.getSideData(AV_PKT_DATA_NEW_EXTRADATA) ?? undefined;
    const out = this.#video!.convert({ data, dts, pts, ...(newExtradata ? { newExtradata } : {}) });
    if (out.config) this.#publisher.config(out.config);
    if (out.unit && this.#publisher.unit(out.unit)) {
      this.#dog.expect('read-timeout', this.#o.limits.readTimeoutMs);
      this.#o.logger.info(
        {
          source: this.#o.source.redacted,
          codec: this.#video!.codec,
          ...sizeOf(this.#video!.config),
        },
        'pulled source is live',
      );
      this.#o.onLive?.();
    }
    if (this.#publisher.live) this.#dog.progress();
  }

  /** Takes stream `index` as the video stream if it is H.264 / HEVC video. */
  #select(index: number): boolean {
    const streams = this.#ctx.streams;
    const stream = streams[index];
    if (!stream) return false;
    const par = stream.codecpar;
    if (par.codecType !== AVMEDIA_TYPE_VIDEO) {
      stream.discard = AVDISCARD_ALL;
      return false;
    }
    const codec: PulledCodec | undefined =
      par.codecId === AV_CODEC_ID_H264
        ? 'h264'
        : par.codecId === AV_CODEC_ID_HEVC
          ? 'hevc'
          : undefined;
    if (!codec) {
      const name = avGetCodecName(par.codecId) ?? String(par.codecId);
      throw new UnsupportedSourceError(
        `the video codec ${name} is not supported (H.264 and HEVC are)`,
      );
    }
    this.#video = new PulledVideo(codec, par.extradata ?? undefined, this.#o.limits);
    this.#videoIndex = index;
    this.#timeBase = stream.timeBase;
    for (const other of streams) if (other.index !== index) other.discard = AVDISCARD_ALL;
    return true;
  }

  /** Streams known at open that are not video are not read at all (e.g. HLS audio renditions). */
  #discardNonVideo(): void {
    for (const stream of this.#ctx.streams) {
      if (stream.codecpar.codecType !== AVMEDIA_TYPE_VIDEO) stream.discard = AVDISCARD_ALL;
    }
  }
}

function sizeOf(config: { width: number; height: number } | undefined) {
  return config ? { width: config.width, height: config.height } : {};
}
