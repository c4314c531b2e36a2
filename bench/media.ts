/**
 * The benchmark's media, generated once with node-av (FFmpeg 8 libraries, in-process, so no
 * ffmpeg binary is needed and HEVC goes out as Enhanced RTMP FLV) and cached under
 * `.cache/bench/` by its parameters.
 *
 * Source: FFmpeg's moving `testsrc2` pattern with light temporal noise (so the encoder spends
 * its bitrate the way it would on camera footage, and a decoder does comparable work) and
 * an optional 1 kHz AAC tone (real pushes carry audio; the ingest has to handle it).
 */
import '../src/util/polyfill.js';
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Decoder, Demuxer, Encoder, Muxer } from 'node-av/api';
import {
  AV_LOG_ERROR,
  FF_ENCODER_AAC,
  FF_ENCODER_LIBX264,
  FF_ENCODER_LIBX265,
} from 'node-av/constants';
import { Log, type Packet } from 'node-av/lib';

export type Codec = 'h264' | 'hevc';
export type Resolution = '1080p' | '720p';

export interface ClipSpec {
  readonly container: 'flv' | 'mp4';
  readonly codec: Codec;
  readonly res: Resolution;
  readonly fps: number;
  /** Target video bitrate in kbit/s (ABR with a VBV cap 10 % above). */
  readonly kbps: number;
  /** Keyframe interval in seconds (closed GOPs, no scene-cut keyframes). */
  readonly gopSeconds: number;
  readonly seconds: number;
  readonly audio: boolean;
  /** libx264 / libx265 preset. */
  readonly preset: string;
  /** Temporal noise strength (FFmpeg `noise` filter `alls`), 0 = none. */
  readonly noise: number;
}

export const CACHE_DIR = resolve(import.meta.dirname, '../.cache/bench');

const SIZES: Record<Resolution, [number, number]> = {
  '1080p': [1920, 1080],
  '720p': [1280, 720],
};

export function frameSize(res: Resolution): [number, number] {
  return SIZES[res];
}

/** The live clip: looped by the load generator, so a whole number of GOPs long. */
export function liveClipSpec(codec: Codec, res: Resolution, audio: boolean): ClipSpec {
  return {
    container: 'flv',
    codec,
    res,
    fps: 30,
    kbps: res === '1080p' ? 4000 : 2500,
    gopSeconds: 2,
    seconds: 60,
    audio,
    preset: codec === 'h264' ? 'veryfast' : 'ultrafast',
    noise: 6,
  };
}

/**
 * The offline scenario's file: the 1080p H.264 live clip (veryfast, 4 Mbit/s, 2 s closed
 * GOPs, AAC) repeated to `seconds` by stream copy into an MP4. Copying is much faster than
 * encoding ten minutes of video, and the file decodes like the live streams do.
 */
export async function ensureOfflineFile(
  seconds: number,
  log: (line: string) => void = () => {},
): Promise<string> {
  const source = liveClipSpec('h264', '1080p', true);
  if (seconds % source.seconds !== 0) {
    throw new Error(`offline file length must be a multiple of ${source.seconds} s`);
  }
  const sourcePath = await ensureClip(source, log);
  const path = join(
    CACHE_DIR,
    `offline-${basename(sourcePath, '.flv')}-x${seconds / source.seconds}.mp4`,
  );
  if (await nonEmpty(path)) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  log(`making ${path} (${seconds} s by stream copy, once; cached)`);
  try {
    await concatenate(sourcePath, seconds / source.seconds, source.seconds * 1000, tmp);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  return path;
}

async function concatenate(
  source: string,
  loops: number,
  loopMs: number,
  out: string,
): Promise<void> {
  Log.setLevel(AV_LOG_ERROR);
  await using first = await Demuxer.open(source);
  const video = first.video();
  const audio = first.audio();
  if (!video) throw new Error(`${source} has no video`);
  await using output = await Muxer.open(out, { format: 'mp4' });
  const videoOut = output.addStream(video);
  const audioOut = audio ? output.addStream(audio) : -1;
  for (let loop = 0; loop < loops; loop++) {
    await using input = loop === 0 ? undefined : await Demuxer.open(source);
    const demuxer = input ?? first;
    for await (const packet of demuxer.packets()) {
      if (!packet) break;
      const stream = demuxer.streams[packet.streamIndex];
      const index =
        packet.streamIndex === video.index
          ? videoOut
          : audio && packet.streamIndex === audio.index
            ? audioOut
            : -1;
      if (stream && index >= 0) {
        const tb = stream.timeBase;
        const offset = BigInt(Math.round((loop * loopMs * tb.den) / (1000 * tb.num)));
        packet.pts += offset;
        packet.dts += offset;
        await output.writePacket(packet, index);
      }
      packet.free();
    }
  }
  await output.close();
}

export function clipPath(spec: ClipSpec): string {
  const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 8);
  const name =
    `${spec.codec}-${spec.res}${spec.fps}-${spec.kbps}k-g${spec.gopSeconds}s-${spec.seconds}s` +
    `${spec.audio ? '-aac' : ''}-${key}.${spec.container}`;
  return join(CACHE_DIR, name);
}

/** Returns the cached clip's path, generating it first when missing. */
export async function ensureClip(
  spec: ClipSpec,
  log: (line: string) => void = () => {},
): Promise<string> {
  const path = clipPath(spec);
  if (await nonEmpty(path)) return path;
  await mkdir(CACHE_DIR, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  log(`generating ${path} (${spec.seconds} s ${spec.res} ${spec.codec}, once; cached)`);
  const started = Date.now();
  try {
    await encode(spec, tmp);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  log(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return path;
}

async function nonEmpty(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

function sourceGraph(spec: ClipSpec): string {
  const [w, h] = SIZES[spec.res];
  const video = [`testsrc2=size=${w}x${h}:rate=${spec.fps}`, 'format=yuv420p'];
  if (spec.noise > 0) video.push(`noise=alls=${spec.noise}:allf=t`);
  const graph = [`${video.join(',')}[out0]`];
  if (spec.audio) {
    graph.push('sine=frequency=1000:sample_rate=48000,aformat=channel_layouts=stereo[out1]');
  }
  return graph.join(';');
}

async function createVideoEncoder(spec: ClipSpec): Promise<Encoder> {
  const gop = spec.fps * spec.gopSeconds;
  const common = {
    bitrate: `${spec.kbps}k`,
    maxRate: `${Math.round(spec.kbps * 1.1)}k`,
    bufSize: `${spec.kbps * 2}k`,
    gopSize: gop,
    maxBFrames: 0,
    threadCount: 0,
  };
  const gopParams = `keyint=${gop}:min-keyint=${gop}:scenecut=0:open-gop=0`;
  if (spec.codec === 'h264') {
    return Encoder.create(FF_ENCODER_LIBX264, {
      ...common,
      options: { preset: spec.preset, sc_threshold: 0, 'x264-params': gopParams },
    });
  }
  return Encoder.create(FF_ENCODER_LIBX265, {
    ...common,
    options: {
      preset: spec.preset,
      'x265-params': `${gopParams}:bframes=0:repeat-headers=0:log-level=error`,
    },
  });
}

async function encode(spec: ClipSpec, out: string): Promise<void> {
  Log.setLevel(AV_LOG_ERROR);
  await using input = await Demuxer.open(sourceGraph(spec), { format: 'lavfi' });
  const videoIn = input.video();
  if (!videoIn) throw new Error('lavfi source has no video stream');
  const audioIn = spec.audio ? input.audio() : undefined;
  if (spec.audio && !audioIn) throw new Error('lavfi source has no audio stream');

  using videoDecoder = await Decoder.create(videoIn);
  using videoEncoder = await createVideoEncoder(spec);
  using audioDecoder = audioIn ? await Decoder.create(audioIn) : undefined;
  using audioEncoder = audioIn
    ? await Encoder.create(FF_ENCODER_AAC, { bitrate: '128k', autoResample: true })
    : undefined;

  await using output = await Muxer.open(out, { format: spec.container });
  const videoOut = output.addStream(videoEncoder);
  const audioOut = audioEncoder ? output.addStream(audioEncoder) : -1;

  const write = async (packets: Packet[], index: number): Promise<void> => {
    for (const packet of packets) {
      await output.writePacket(packet, index);
      packet.free();
    }
  };
  const frameLimit = spec.seconds * spec.fps;
  const sampleLimit = spec.seconds * 48000;
  let frames = 0;
  let samples = 0;
  for await (const packet of input.packets()) {
    if (!packet) break;
    if (packet.streamIndex === videoIn.index && frames < frameLimit) {
      for (const frame of await videoDecoder.decodeAll(packet)) {
        if (frames++ < frameLimit) await write(await videoEncoder.encodeAll(frame), videoOut);
        frame.free();
      }
    } else if (audioIn && audioDecoder && audioEncoder && packet.streamIndex === audioIn.index) {
      for (const frame of await audioDecoder.decodeAll(packet)) {
        if (samples < sampleLimit) {
          samples += frame.nbSamples;
          await write(await audioEncoder.encodeAll(frame), audioOut);
        }
        frame.free();
      }
    }
    packet.free();
    if (frames >= frameLimit && (!audioIn || samples >= sampleLimit)) break;
  }
  await write(await videoEncoder.encodeAll(null), videoOut);
  if (audioEncoder) await write(await audioEncoder.encodeAll(null), audioOut);
  await output.close();
}
