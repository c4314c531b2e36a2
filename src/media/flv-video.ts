import { MediaFormatError } from '../errors.js';
import type { VideoCodec } from '../stream/stream-types.js';
import type { ParseVideoTag, VideoTag } from './flv-types.js';
import { ByteReader } from './byte-reader.js';
import {
  AvcPacketType,
  AvMultitrackType,
  DEFAULT_TRACK_ID,
  EX_HEADER_FLAG,
  ExVideoPacketType,
  MOD_EX_SIZE_ESCAPE,
  VideoCodecId,
  VideoFourCc,
  VideoFrameType,
} from './flv-video-constants.js';

/**
 * Parse the body of one FLV video tag (= one RTMP video message): legacy H.264 / HEVC
 * (codec id 7 / 12) or Enhanced RTMP v1/v2 (avc1, hvc1, av01; ModEx; multitrack, of which
 * track 0 is kept). Returned buffers are views into `body`. Throws MediaFormatError.
 */
export const parseVideoTag: ParseVideoTag = (body) => {
  if (body.length === 0) throw new MediaFormatError('video tag: empty body');
  const r = new ByteReader(body, 'video tag');
  const first = r.u8();
  return first & EX_HEADER_FLAG ? parseEnhanced(r, first) : parseLegacy(r, first);
};

const LEGACY_CODECS: ReadonlyMap<number, VideoCodec> = new Map([
  [VideoCodecId.Avc, 'h264'],
  [VideoCodecId.HevcLegacy, 'hevc'],
]);

const FOURCC_CODECS: ReadonlyMap<number, VideoCodec> = new Map([
  [VideoFourCc.Avc, 'h264'],
  [VideoFourCc.Hevc, 'hevc'],
  [VideoFourCc.Av1, 'av1'],
]);

function parseLegacy(r: ByteReader, first: number): VideoTag {
  const frameType = checkFrameType(first >> 4);
  const codecId = first & 0x0f;
  if (frameType === VideoFrameType.Command) return ignored('video info/command frame');
  const codec = LEGACY_CODECS.get(codecId);
  if (!codec) return ignored(`legacy video codec id ${codecId}`);
  const packetType = r.u8();
  if (packetType === AvcPacketType.EndOfSequence) return { kind: 'end-of-sequence', codec };
  const compositionTime = r.i24();
  switch (packetType) {
    case AvcPacketType.SequenceHeader:
      return config(codec, r);
    case AvcPacketType.Nalu:
      return frame(codec, frameType, compositionTime, r);
    default:
      throw new MediaFormatError(`video tag: unknown AVCPacketType ${packetType}`);
  }
}

function parseEnhanced(r: ByteReader, first: number): VideoTag {
  const frameType = checkFrameType((first >> 4) & 0x07);
  let packetType = first & 0x0f;
  while (packetType === ExVideoPacketType.ModEx) packetType = skipModEx(r);
  if (packetType === ExVideoPacketType.Metadata) return ignored('video metadata packet');
  if (frameType === VideoFrameType.Command) return ignored('video command frame');
  if (packetType !== ExVideoPacketType.Multitrack) return parseTrack(r, frameType, packetType);

  const types = r.u8();
  const multitrackType = types >> 4;
  packetType = types & 0x0f;
  if (packetType === ExVideoPacketType.Multitrack || packetType === ExVideoPacketType.ModEx) {
    throw new MediaFormatError(`video tag: packet type ${packetType} inside multitrack`);
  }
  if (packetType === ExVideoPacketType.Metadata) return ignored('video metadata packet');
  return parseMultitrack(r, frameType, packetType, multitrackType);
}

/** Skip one ModEx (v2) block, returning the packet type that follows it. */
function skipModEx(r: ByteReader): number {
  let size = r.u8() + 1;
  if (size === MOD_EX_SIZE_ESCAPE) size = r.u16() + 1;
  r.skip(size);
  return r.u8() & 0x0f; // high nibble: VideoPacketModExType, not needed at ms precision
}

/** Find track 0 in a multitrack message; other tracks (alternate renditions) are ignored. */
function parseMultitrack(
  r: ByteReader,
  frameType: VideoFrameType,
  packetType: number,
  multitrackType: number,
): VideoTag {
  if (multitrackType > AvMultitrackType.ManyTracksManyCodecs) {
    throw new MediaFormatError(`video tag: unknown multitrack type ${multitrackType}`);
  }
  let fourCc = r.u32();
  while (r.remaining > 0) {
    const trackId = r.u8();
    const track = multitrackType === AvMultitrackType.OneTrack ? r : r.sub(r.u24(), 'video track');
    if (trackId === DEFAULT_TRACK_ID) return parseTrackBody(track, frameType, packetType, fourCc);
    if (multitrackType === AvMultitrackType.OneTrack) return ignored(`video track ${trackId}`);
    // With many codecs, each further track names its own FourCC before its id.
    if (multitrackType === AvMultitrackType.ManyTracksManyCodecs && r.remaining > 0) {
      fourCc = r.u32();
    }
  }
  return ignored('multitrack message without video track 0');
}

function parseTrack(r: ByteReader, frameType: VideoFrameType, packetType: number): VideoTag {
  return parseTrackBody(r, frameType, packetType, r.u32());
}

function parseTrackBody(
  r: ByteReader,
  frameType: VideoFrameType,
  packetType: number,
  fourCc: number,
): VideoTag {
  const codec = FOURCC_CODECS.get(fourCc);
  if (!codec) return ignored(`video codec ${fourCcString(fourCc)}`);
  switch (packetType) {
    case ExVideoPacketType.SequenceStart:
      return config(codec, r);
    case ExVideoPacketType.CodedFrames: {
      const compositionTime = codec === 'av1' ? 0 : r.i24();
      return frame(codec, frameType, compositionTime, r);
    }
    case ExVideoPacketType.CodedFramesX:
      return frame(codec, frameType, 0, r);
    case ExVideoPacketType.SequenceEnd:
      return { kind: 'end-of-sequence', codec };
    case ExVideoPacketType.Mpeg2TsSequenceStart:
      return ignored('MPEG-2 TS sequence start (av1 descriptor)');
    default:
      return ignored(`enhanced video packet type ${packetType}`);
  }
}

function config(codec: VideoCodec, r: ByteReader): VideoTag {
  if (r.remaining === 0) throw new MediaFormatError(`video tag: empty ${codec} sequence header`);
  return { kind: 'config', codec, record: r.rest() };
}

function frame(
  codec: VideoCodec,
  frameType: VideoFrameType,
  compositionTime: number,
  r: ByteReader,
): VideoTag {
  if (r.remaining === 0) return ignored(`empty ${codec} frame`);
  const keyframe = frameType === VideoFrameType.Key;
  return { kind: 'frame', codec, keyframe, compositionTime, data: r.rest() };
}

function checkFrameType(value: number): VideoFrameType {
  if (value < VideoFrameType.Key || value > VideoFrameType.Command) {
    throw new MediaFormatError(`video tag: reserved frame type ${value}`);
  }
  return value;
}

function ignored(reason: string): VideoTag {
  return { kind: 'ignored', reason };
}

function fourCcString(fourCc: number): string {
  const bytes = [24, 16, 8, 0].map((s) => (fourCc >>> s) & 0xff);
  return bytes.every((b) => b >= 0x20 && b < 0x7f)
    ? `'${String.fromCharCode(...bytes)}'`
    : `0x${fourCc.toString(16).padStart(8, '0')}`;
}
