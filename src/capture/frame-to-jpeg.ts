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
  AV_PIX_FMT_YUV420P,
  AVCOL_RANGE_JPEG,
  AVCOL_SPC_SMPTE170M,
  FF_QP2LAMBDA,
} from 'node-av/constants';
import { JpegEncodeError } from './capture-errors.js';

/** Best and worst MJPEG quantizer scales (ffmpeg's -q:v range). */
const QSCALE_BEST = 2;
const QSCALE_WORST = 31;

/**
 * Map JPEG quality 1 (smallest) … 100 (best) to the MJPEG quantizer scale 31 … 2, linearly
 * (node-av's Scaler uses the same curve): 100 → 2, 85 → 6, 75 → 9, 50 → 16, 1 → 31.
 */
export function jpegQscale(quality: number): number {
  const q = Math.min(100, Math.max(1, Number.isFinite(quality) ? quality : 85));
  const qscale = Math.round(QSCALE_BEST + ((100 - q) / 99) * (QSCALE_WORST - QSCALE_BEST));
  return Math.min(QSCALE_WORST, Math.max(QSCALE_BEST, qscale));
}

function fail(what: string, ret: number): JpegEncodeError {
  return new JpegEncodeError(`${what}: ${FFmpegError.strerror(ret)} (${ret})`);
}

/**
 * Idle swscale contexts, kept between snapshots. swscale's frame API sets a context up for
 * the pictures it is given (filters, tables, buffers: about 1 ms of a 1080p conversion's
 * 3 ms) and reuses that setup while the source keeps its size and format, setting itself up
 * again when they change. A context is used by one conversion at a time; at most `maxIdle`
 * are kept (about 3 MB each at 1080p), preferring one last used for the same kind of picture.
 */
export class ScalerPool {
  readonly #idle: { key: string; sws: SoftwareScaleContext }[] = [];
  #closed = false;

  constructor(readonly maxIdle: number) {}

  /** A context for pictures like `frame`, to hand back with give() after one conversion. */
  take(frame: Frame): { key: string; sws: SoftwareScaleContext } {
    const key = pictureKey(frame);
    const i = this.#idle.findIndex((e) => e.key === key);
    const reused = i >= 0 ? this.#idle.splice(i, 1)[0] : this.#idle.pop();
    if (reused) return { key, sws: reused.sws };
    return { key, sws: newScaler() };
  }

  /** Hand a context back after a successful conversion (anything else: discard it). */
  give(entry: { key: string; sws: SoftwareScaleContext }): void {
    if (this.#closed || this.#idle.length >= this.maxIdle) entry.sws.freeContext();
    else this.#idle.push(entry);
  }

  /** Free every idle context; later ones are freed when handed back. */
  close(): void {
    this.#closed = true;
    for (const { sws } of this.#idle.splice(0)) sws.freeContext();
  }
}

function newScaler(): SoftwareScaleContext {
  const sws = new SoftwareScaleContext();
  sws.allocContext();
  return sws;
}

function pictureKey(frame: Frame): string {
  return `${frame.width}x${frame.height}/${frame.format}/${frame.colorRange}/${frame.colorSpace}`;
}

/**
 * Encode a decoded picture as a baseline JFIF JPEG of the same size.
 *
 * swscale converts it to 8-bit 4:2:0 **full range** BT.601 (what JPEG viewers assume):
 * limited-range input is expanded (16→0, 235→255), 10-bit input is reduced to 8 bits and a
 * BT.709 picture is re-matrixed. swscale's frame API configures itself from the frames' tags
 * (format, range, colour space), which is why the context is not initialised by hand; merely
 * tagging a limited-range picture as full range (what node-av's Scaler.toJpeg does) would
 * give washed-out greys for black and white. Odd sizes are fine (chroma is rounded up).
 *
 * Native objects live only for the call, except the swscale context when `scalers` lends
 * one. Synchronous: it runs in a capture worker thread (capture-worker.ts).
 */
export function frameToJpeg(frame: Frame, quality: number, scalers?: ScalerPool): Buffer {
  const codec = Codec.findEncoder(AV_CODEC_ID_MJPEG);
  if (codec === null) throw new JpegEncodeError('this FFmpeg build has no MJPEG encoder');
  const qscale = jpegQscale(quality);

  const lent = scalers?.take(frame);
  const sws = lent?.sws ?? newScaler();
  let returned = false;
  const yuv = new Frame();
  const encoder = new CodecContext();
  const packet = new Packet();
  try {
    yuv.alloc();
    yuv.width = frame.width;
    yuv.height = frame.height;
    yuv.format = AV_PIX_FMT_YUV420P;
    yuv.colorRange = AVCOL_RANGE_JPEG;
    yuv.colorSpace = AVCOL_SPC_SMPTE170M;
    let ret = sws.scaleFrameSync(yuv, frame);
    if (ret < 0) throw fail('cannot convert the picture to full-range YUV', ret);
    if (lent) {
      scalers!.give(lent);
      returned = true;
    }
    // A known aspect ratio makes the encoder write the JFIF header (1:1 when unknown).
    const sar = frame.sampleAspectRatio;
    const aspect = sar.num > 0 && sar.den > 0 ? sar : new Rational(1, 1);
    yuv.sampleAspectRatio = aspect;
    yuv.quality = qscale * FF_QP2LAMBDA;
    yuv.pts = 0n;

    encoder.allocContext3(codec);
    encoder.width = yuv.width;
    encoder.height = yuv.height;
    encoder.pixelFormat = AV_PIX_FMT_YUV420P;
    encoder.colorRange = AVCOL_RANGE_JPEG;
    encoder.colorSpace = AVCOL_SPC_SMPTE170M;
    encoder.sampleAspectRatio = aspect;
    encoder.timeBase = new Rational(1, 25);
    encoder.threadCount = 1;
    encoder.setFlags(AV_CODEC_FLAG_QSCALE);
    encoder.globalQuality = qscale * FF_QP2LAMBDA;
    ret = encoder.open2Sync(codec, null);
    if (ret < 0) throw fail('cannot open the MJPEG encoder', ret);

    packet.alloc();
    ret = encoder.sendFrameSync(yuv);
    if (ret < 0) throw fail('MJPEG encoder rejected the picture', ret);
    ret = encoder.receivePacketSync(packet);
    if (ret < 0) throw fail('MJPEG encoder produced no image', ret);
    const data = packet.data; // node-av returns a copy: valid after the packet is freed
    if (data === null || data.length === 0) throw new JpegEncodeError('empty JPEG');
    return data;
  } finally {
    packet.free();
    encoder.freeContext();
    yuv.free();
    // A lent context went back to its pool after a good conversion; any other is freed.
    if (!returned) sws.freeContext();
  }
}
