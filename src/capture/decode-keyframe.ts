import '../util/polyfill.js';
import { Codec, CodecContext, FFmpegError, Frame, Packet } from 'node-av/lib';
import {
  AV_CODEC_ID_H264,
  AV_CODEC_ID_HEVC,
  AV_FRAME_FLAG_CORRUPT,
  AVERROR_EAGAIN,
  type AVCodecID,
} from 'node-av/constants';
import type { CodecConfig, VideoCodec } from '../stream/stream-types.js';
import { KeyframeDecodeError, UnsupportedCodecError } from './capture-errors.js';

const CODEC_IDS: Readonly<Partial<Record<VideoCodec, AVCodecID>>> = {
  h264: AV_CODEC_ID_H264,
  hevc: AV_CODEC_ID_HEVC,
};

function fail(what: string, ret: number): KeyframeDecodeError {
  return new KeyframeDecodeError(`${what}: ${FFmpegError.strerror(ret)} (${ret})`);
}

/** The FFmpeg decoder for a stream's codec; UnsupportedCodecError when there is none. */
export function keyframeCodec(codec: VideoCodec): Codec {
  const codecId = CODEC_IDS[codec];
  const found = codecId === undefined ? null : Codec.findDecoder(codecId);
  if (found === null) throw new UnsupportedCodecError(codec);
  return found;
}

/**
 * Decode one keyframe on its own and return the picture (cropped to the display size). The
 * caller owns the returned Frame and must free() it.
 *
 * A decoder context is opened from the codec configuration record (as extradata) for this one
 * keyframe and freed right after (about 0.2 ms): a decoder kept open per stream would hold its
 * frame pools, 3.4 MB (H.264) to 5 MB (HEVC) per 1080p stream. Frame threading is off
 * (threads=1), so the picture comes out of this packet alone: at once when the stream has no
 * reordering delay, otherwise after a drain (sending the end-of-stream packet).
 *
 * Synchronous: it runs in a capture worker thread (capture-worker.ts), never on the event
 * loop's thread. A packet that fails to decode, yields no picture, or yields a
 * picture FFmpeg had to conceal errors in, rejects with KeyframeDecodeError.
 */
export function decodeKeyframe(config: CodecConfig, data: Buffer): Frame {
  const codec = keyframeCodec(config.codec);
  if (data.length === 0) throw new KeyframeDecodeError('empty keyframe');

  const ctx = new CodecContext();
  const packet = new Packet();
  const frame = new Frame();
  let ok = false;
  try {
    ctx.allocContext3(codec);
    if (config.record.length > 0) ctx.extraData = config.record;
    ctx.threadCount = 1;
    let ret = ctx.open2Sync(codec, null);
    if (ret < 0) throw fail(`cannot open the ${config.codec} decoder`, ret);

    packet.alloc();
    packet.data = data;
    packet.isKeyframe = true;
    frame.alloc();

    ret = ctx.sendPacketSync(packet);
    if (ret < 0) throw fail(`${config.codec} keyframe rejected by the decoder`, ret);
    ret = ctx.receiveFrameSync(frame);
    if (ret === AVERROR_EAGAIN) {
      // Reordering delay (B-frames): the picture is held back until the decoder is drained.
      ret = ctx.sendPacketSync(null);
      if (ret < 0) throw fail(`cannot drain the ${config.codec} decoder`, ret);
      ret = ctx.receiveFrameSync(frame);
    }
    if (ret < 0) throw fail(`${config.codec} keyframe produced no picture`, ret);
    if (frame.decodeErrorFlags !== 0 || frame.hasFlags(AV_FRAME_FLAG_CORRUPT)) {
      throw new KeyframeDecodeError(
        `${config.codec} keyframe is damaged (decode error flags ${frame.decodeErrorFlags})`,
      );
    }
    if (frame.width <= 0 || frame.height <= 0) {
      throw new KeyframeDecodeError(`${config.codec} keyframe has no picture size`);
    }
    ok = true;
    return frame;
  } finally {
    packet.free();
    ctx.freeContext();
    if (!ok) frame.free();
  }
}
