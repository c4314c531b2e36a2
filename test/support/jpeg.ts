/**
 * Decode a JPEG (e.g. a stored snapshot) to RGB with node-av so tests can check sizes and
 * colours: `(await decodeJpeg(buf)).rgbAt(x, y)`.
 */
import '../../src/util/polyfill.js';
import { Scaler } from 'node-av/api';
import { AV_CODEC_ID_MJPEG } from 'node-av/constants';
import { Codec, CodecContext, FFmpegError, Frame, Packet, Rational } from 'node-av/lib';

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** Packed RGB24, row after row, no padding. */
  readonly rgb: Buffer;
  rgbAt(x: number, y: number): [number, number, number];
  /** Mean colour of a w×h box at (x, y): steadier than one pixel after compression. */
  meanRgb(x: number, y: number, w: number, h: number): [number, number, number];
}

export async function decodeJpeg(jpeg: Buffer): Promise<DecodedImage> {
  const codec = Codec.findDecoder(AV_CODEC_ID_MJPEG);
  if (!codec) throw new Error('node-av has no MJPEG decoder');
  using ctx = new CodecContext();
  ctx.allocContext3(codec);
  FFmpegError.throwIfError(await ctx.open2(codec, null), 'open MJPEG decoder');
  using packet = new Packet();
  packet.alloc();
  packet.data = jpeg;
  FFmpegError.throwIfError(await ctx.sendPacket(packet), 'decode JPEG');
  FFmpegError.throwIfError(await ctx.sendPacket(null), 'flush JPEG decoder');
  using frame = new Frame();
  frame.alloc();
  FFmpegError.throwIfError(await ctx.receiveFrame(frame), 'decode JPEG');
  frame.timeBase = new Rational(1, 1); // the Scaler's filter graph needs a valid time base
  using scaler = new Scaler();
  const rgb = await scaler.toBuffer(frame, { format: 'rgb' });
  return rgbImage(frame.width, frame.height, rgb);
}

/** Wrap packed RGB24 pixels (e.g. from node-av's `Scaler.toBuffer(frame, { format: 'rgb' })`). */
export function rgbImage(width: number, height: number, rgb: Buffer): DecodedImage {
  if (rgb.length !== width * height * 3) {
    throw new Error(`unexpected RGB size ${rgb.length} for ${width}x${height}`);
  }
  const rgbAt = (x: number, y: number): [number, number, number] => {
    if (x < 0 || y < 0 || x >= width || y >= height) {
      throw new RangeError(`(${x}, ${y}) is outside ${width}x${height}`);
    }
    const i = (y * width + x) * 3;
    return [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
  };
  const meanRgb = (x: number, y: number, w: number, h: number): [number, number, number] => {
    const sum = [0, 0, 0];
    for (let j = y; j < y + h; j++) {
      for (let i = x; i < x + w; i++) {
        const px = rgbAt(i, j);
        for (let c = 0; c < 3; c++) sum[c]! += px[c]!;
      }
    }
    const n = w * h;
    return [Math.round(sum[0]! / n), Math.round(sum[1]! / n), Math.round(sum[2]! / n)];
  };
  return { width, height, rgb, rgbAt, meanRgb };
}

/** Whether two colours differ by at most `tolerance` in every channel. */
export function closeTo(
  actual: readonly number[],
  expected: readonly number[],
  tolerance = 10,
): boolean {
  return actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance);
}
