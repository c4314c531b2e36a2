import '../util/polyfill.js';
import {
  Codec,
  CodecContext,
  FFmpegError,
  Frame,
  Packet,
  Rational,
  SoftwareScaleContext,
} from 'node-av/lib';
import {
  AV_CODEC_FLAG_QSCALE,
  AV_CODEC_ID_MJPEG,
  AV_PIX_FMT_RGB24,
  AV_PIX_FMT_YUV420P,
  AVCOL_RANGE_JPEG,
  AVCOL_SPC_SMPTE170M,
  FF_QP2LAMBDA,
} from 'node-av/constants';
import { jpegQscale } from '../capture/frame-to-jpeg.js';
import { JobError, JobErrorCode } from './job-errors.js';
import { setScaleFilter } from './picture-render.js';
import type { RgbImage } from './rgb-image.js';

/** Encoders kept per size: pictures encoded at once (the extractor has a few in flight). */
const MAX_ENCODERS = 3;

function fail(what: string, ret: number): JobError {
  return new JobError(JobErrorCode.InternalError, `${what}: ${FFmpegError.strerror(ret)}`);
}

/**
 * One open MJPEG encoder for one picture size, with its colour converter: the same
 * conversion as capture/frame-to-jpeg.ts (8-bit 4:2:0 full-range BT.601, swscale reading the
 * source's colour tags), but opened once and reused for every picture of a job instead of
 * per picture (about a quarter of the cost of a 1080p snapshot). Not re-entrant.
 */
class SizedEncoder {
  readonly #sws = new SoftwareScaleContext();
  readonly #yuv = new Frame();
  readonly #ctx = new CodecContext();
  readonly #packet = new Packet();
  #pts = 0n;
  #filterSet = false;

  private constructor() {}

  static async open(width: number, height: number, quality: number): Promise<SizedEncoder> {
    const codec = Codec.findEncoder(AV_CODEC_ID_MJPEG);
    if (codec === null) throw new JobError(JobErrorCode.InternalError, 'no MJPEG encoder');
    const e = new SizedEncoder();
    try {
      e.#sws.allocContext();
      e.#yuv.alloc();
      e.#yuv.width = width;
      e.#yuv.height = height;
      e.#yuv.format = AV_PIX_FMT_YUV420P;
      e.#yuv.colorRange = AVCOL_RANGE_JPEG;
      e.#yuv.colorSpace = AVCOL_SPC_SMPTE170M;
      e.#yuv.sampleAspectRatio = new Rational(1, 1);
      const qscale = jpegQscale(quality);
      e.#yuv.quality = qscale * FF_QP2LAMBDA;
      const ctx = e.#ctx;
      ctx.allocContext3(codec);
      ctx.width = width;
      ctx.height = height;
      ctx.pixelFormat = AV_PIX_FMT_YUV420P;
      ctx.colorRange = AVCOL_RANGE_JPEG;
      ctx.colorSpace = AVCOL_SPC_SMPTE170M;
      ctx.sampleAspectRatio = new Rational(1, 1);
      ctx.timeBase = new Rational(1, 25);
      ctx.threadCount = 1;
      ctx.setFlags(AV_CODEC_FLAG_QSCALE);
      ctx.globalQuality = qscale * FF_QP2LAMBDA;
      const ret = await ctx.open2(codec, null);
      if (ret < 0) throw fail('cannot open the MJPEG encoder', ret);
      e.#packet.alloc();
      return e;
    } catch (err) {
      e.free();
      throw err;
    }
  }

  /** A JPEG of `source` (any size and format: it is scaled to this encoder's size). */
  async encode(source: Frame): Promise<Buffer> {
    if (!this.#filterSet) {
      setScaleFilter(this.#sws, source, this.#yuv.width, this.#yuv.height);
      this.#filterSet = true;
    }
    let ret = await this.#sws.scaleFrame(this.#yuv, source);
    if (ret < 0) throw fail('cannot convert the picture to full-range YUV', ret);
    this.#yuv.pts = this.#pts++;
    ret = await this.#ctx.sendFrame(this.#yuv);
    if (ret < 0) throw fail('the MJPEG encoder rejected the picture', ret);
    ret = await this.#ctx.receivePacket(this.#packet);
    if (ret < 0) throw fail('the MJPEG encoder produced no image', ret);
    const data = this.#packet.data;
    this.#packet.unref();
    if (data === null || data.length === 0)
      throw new JobError(JobErrorCode.InternalError, 'empty JPEG');
    return data;
  }

  free(): void {
    this.#packet.free();
    this.#ctx.freeContext();
    this.#yuv.free();
    this.#sws.freeContext();
  }
}

/**
 * JPEG encoding for a job: open encoders are kept per picture size and reused (at most
 * MAX_ENCODERS per size, for pictures encoded at once). close() frees them.
 */
export class JpegEncoderPool {
  readonly #quality: number;
  readonly #idle = new Map<string, SizedEncoder[]>();
  readonly #open = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();
  #closed = false;

  constructor(quality: number) {
    this.#quality = quality;
  }

  /** A JPEG of a decoded frame, scaled to width × height (no display transform). */
  encodeFrame(frame: Frame, width: number, height: number): Promise<Buffer> {
    return this.#with(width, height, (e) => e.encode(frame));
  }

  /** A JPEG of an RGB image. */
  encodeImage(image: RgbImage): Promise<Buffer> {
    const frame = Frame.fromVideoBuffer(image.data, {
      width: image.width,
      height: image.height,
      format: AV_PIX_FMT_RGB24,
    });
    return this.#with(image.width, image.height, (e) => e.encode(frame)).finally(() =>
      frame.free(),
    );
  }

  close(): void {
    this.#closed = true;
    for (const list of this.#idle.values()) for (const e of list) e.free();
    this.#idle.clear();
  }

  async #with<T>(width: number, height: number, use: (e: SizedEncoder) => Promise<T>): Promise<T> {
    const key = `${width}x${height}`;
    const encoder = await this.#acquire(key, width, height);
    try {
      return await use(encoder);
    } finally {
      this.#release(key, encoder);
    }
  }

  async #acquire(key: string, width: number, height: number): Promise<SizedEncoder> {
    for (;;) {
      if (this.#closed) throw new JobError(JobErrorCode.InternalError, 'JPEG encoders closed');
      const idle = this.#idle.get(key);
      if (idle && idle.length > 0) return idle.pop()!;
      const open = this.#open.get(key) ?? 0;
      if (open < MAX_ENCODERS) {
        this.#open.set(key, open + 1);
        try {
          return await SizedEncoder.open(width, height, this.#quality);
        } catch (err) {
          this.#open.set(key, (this.#open.get(key) ?? 1) - 1);
          throw err;
        }
      }
      await new Promise<void>((resolve) => {
        const list = this.#waiting.get(key) ?? [];
        list.push(resolve);
        this.#waiting.set(key, list);
      });
    }
  }

  #release(key: string, encoder: SizedEncoder): void {
    if (this.#closed) {
      encoder.free();
      return;
    }
    const idle = this.#idle.get(key) ?? [];
    idle.push(encoder);
    this.#idle.set(key, idle);
    this.#waiting.get(key)?.shift()?.();
  }
}
