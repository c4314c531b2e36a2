import '../util/polyfill.js';
import { avGetCodecName, type FormatContext, type Stream } from 'node-av/lib';
import { AV_NOPTS_VALUE, AV_PKT_DATA_DISPLAYMATRIX } from 'node-av/constants';
import { displayTransform, type DisplayTransform } from './display-matrix.js';

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

const US_PER_MS = 1000;

/** A video stream's VideoInfo; `tsToMs` turns stream timestamps into ms from its start. */
export function describeVideo(
  fmt: FormatContext,
  stream: Stream,
  tsToMs: (ts: bigint) => number,
): VideoInfo {
  const par = stream.codecpar;
  const sar = par.sampleAspectRatio.num > 0 ? par.sampleAspectRatio : stream.sampleAspectRatio;
  const pixelAspect = sar.num > 0 && sar.den > 0 ? sar.num / sar.den : 1;
  const transform = displayTransform(par.getCodedSideData(AV_PKT_DATA_DISPLAYMATRIX));
  const uprightW = Math.max(1, Math.round(par.width * pixelAspect));
  const uprightH = par.height;
  const quarter = transform.rotation === 90 || transform.rotation === 270;
  let durationMs: number | undefined;
  if (stream.duration > 0n && stream.duration !== AV_NOPTS_VALUE) {
    const start = stream.startTime !== AV_NOPTS_VALUE ? stream.startTime : 0n;
    durationMs = tsToMs(stream.duration + start);
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
