import '../util/polyfill.js';
import { FFmpegError, Frame, SoftwareScaleContext } from 'node-av/lib';
import { AV_PIX_FMT_RGB24 } from 'node-av/constants';
import type { DisplayTransform } from './display-matrix.js';
import { JobError, JobErrorCode } from './job-errors.js';
import { mirror, rotateClockwise, type RgbImage } from './rgb-image.js';

/**
 * A decoded picture as an upright RGB image of `width` × `height`: scaled (swscale reads the
 * frame's colour tags, so limited-range and BT.709 pictures come out right), mirrored and
 * turned per the stream's display transform. The frame is not freed.
 */
export async function renderUpright(
  frame: Frame,
  transform: DisplayTransform,
  width: number,
  height: number,
): Promise<RgbImage> {
  const quarter = transform.rotation === 90 || transform.rotation === 270;
  const w = quarter ? height : width;
  const h = quarter ? width : height;
  const sws = new SoftwareScaleContext();
  const rgb = new Frame();
  let image: RgbImage;
  try {
    sws.allocContext();
    setScaleFilter(sws, frame, w, h);
    rgb.alloc();
    rgb.width = w;
    rgb.height = h;
    rgb.format = AV_PIX_FMT_RGB24;
    const ret = await sws.scaleFrame(rgb, frame);
    if (ret < 0) {
      throw new JobError(
        JobErrorCode.DecodeFailed,
        `cannot convert the picture: ${FFmpegError.strerror(ret)}`,
      );
    }
    image = { width: w, height: h, data: rgb.toBuffer() };
  } finally {
    rgb.free();
    sws.freeContext();
  }
  if (transform.mirror) image = mirror(image);
  return rotateClockwise(image, transform.rotation);
}

/** Whether a display transform leaves the picture as decoded (scaling aside). */
export function isUnturned(transform: DisplayTransform): boolean {
  return transform.rotation === 0 && !transform.mirror;
}

/**
 * Area averaging when shrinking (sharp, no aliasing, and three times faster than swscale's
 * default bicubic for thumbnails), the default otherwise.
 */
export function setScaleFilter(
  sws: SoftwareScaleContext,
  source: { width: number; height: number },
  width: number,
  height: number,
): void {
  if (width < source.width && height < source.height) sws.setOption('sws_flags', 'area');
}
