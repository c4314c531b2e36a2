/**
 * Splits an FLV file into tags, each classified for replay as an RTMP message: the load
 * generator sends `config` tags (metadata, codec sequence headers) once per publish and
 * loops the `media` tags. Pure: works on a Buffer.
 */

/** FLV tag types (FLV spec E.4.1); they equal the RTMP message type ids. */
export enum FlvTagType {
  Audio = 8,
  Video = 9,
  Script = 18,
}

export interface FlvTag {
  readonly type: FlvTagType;
  /** Timestamp in ms (24 bits + extended byte). */
  readonly timestamp: number;
  /** The tag body, i.e. the RTMP message payload. A view into the file. */
  readonly body: Buffer;
  /** Metadata or a codec sequence header: sent once, not looped. */
  readonly config: boolean;
  /** A video keyframe (legacy frame type 1, also in Enhanced RTMP). */
  readonly keyframe: boolean;
}

export interface FlvClip {
  readonly tags: readonly FlvTag[];
  /** Loop length in ms: the video span plus one mean frame interval. */
  readonly durationMs: number;
  readonly videoBytes: number;
  readonly audioBytes: number;
  readonly keyframes: number;
  readonly videoFrames: number;
}

const FILE_HEADER_MIN = 9;
const TAG_HEADER_SIZE = 11;
const PREVIOUS_TAG_SIZE = 4;
const AUDIO_FORMAT_AAC = 10;
const AAC_SEQUENCE_HEADER = 0;
const VIDEO_FRAME_KEY = 1;
const VIDEO_EX_HEADER = 0x80;

/** Legacy AVC / HEVC packet types (second byte of the video tag body). */
enum AvcPacketType {
  SequenceHeader = 0,
  Nalu = 1,
  EndOfSequence = 2,
}

/** Enhanced RTMP video packet types (low 4 bits of the first byte). */
enum ExPacketType {
  SequenceStart = 0,
  CodedFrames = 1,
  SequenceEnd = 2,
  CodedFramesX = 3,
  Metadata = 4,
  Mpeg2TsSequenceStart = 5,
}

type TagRole = 'config' | 'media' | 'end';

/** Config: sent once per publish. End: an end-of-sequence marker, never replayed. */
function roleOf(type: FlvTagType, body: Buffer): TagRole {
  if (type === FlvTagType.Script) return 'config';
  if (body.length < 2) return 'media';
  if (type === FlvTagType.Audio) {
    return body[0]! >> 4 === AUDIO_FORMAT_AAC && body[1] === AAC_SEQUENCE_HEADER
      ? 'config'
      : 'media';
  }
  if (body[0]! & VIDEO_EX_HEADER) {
    switch ((body[0]! & 0x0f) as ExPacketType) {
      case ExPacketType.SequenceStart:
      case ExPacketType.Metadata:
      case ExPacketType.Mpeg2TsSequenceStart:
        return 'config';
      case ExPacketType.SequenceEnd:
        return 'end';
      default:
        return 'media';
    }
  }
  switch (body[1] as AvcPacketType) {
    case AvcPacketType.SequenceHeader:
      return 'config';
    case AvcPacketType.EndOfSequence:
      return 'end';
    default:
      return 'media';
  }
}

function isKeyframe(type: FlvTagType, body: Buffer): boolean {
  if (type !== FlvTagType.Video || body.length === 0) return false;
  return ((body[0]! >> 4) & 0x07) === VIDEO_FRAME_KEY;
}

export function readFlv(file: Buffer): FlvClip {
  if (file.length < FILE_HEADER_MIN || file.toString('latin1', 0, 3) !== 'FLV') {
    throw new Error('not an FLV file');
  }
  const all: FlvTag[] = [];
  let pos = file.readUInt32BE(5) + PREVIOUS_TAG_SIZE;
  while (pos + TAG_HEADER_SIZE <= file.length) {
    const type = (file[pos]! & 0x1f) as FlvTagType;
    const size = file.readUIntBE(pos + 1, 3);
    const timestamp = file.readUIntBE(pos + 4, 3) + file[pos + 7]! * 2 ** 24;
    const start = pos + TAG_HEADER_SIZE;
    if (start + size > file.length) break; // truncated final tag
    pos = start + size + PREVIOUS_TAG_SIZE;
    if (type !== FlvTagType.Audio && type !== FlvTagType.Video && type !== FlvTagType.Script) {
      continue;
    }
    const body = file.subarray(start, start + size);
    const role = roleOf(type, body);
    if (role === 'end') continue;
    const config = role === 'config';
    all.push({ type, timestamp, body, config, keyframe: !config && isKeyframe(type, body) });
  }
  const video = all.filter((t) => t.type === FlvTagType.Video && !t.config);
  if (video.length === 0) throw new Error('FLV has no video');
  // Mean frame interval × frames: the loop length that keeps the frame rate across the seam.
  const span = video.at(-1)!.timestamp - video[0]!.timestamp;
  const durationMs =
    video.length > 1 ? Math.round((span * video.length) / (video.length - 1)) : 1000;
  // Each track keeps exactly one loop length from its first media tag, so that when the
  // clip repeats, no track's timestamps step back (audio often runs a frame past the video).
  const firstTs = new Map<FlvTagType, number>();
  const tags = all.filter((t) => {
    if (t.config) return true;
    const first = firstTs.get(t.type) ?? t.timestamp;
    firstTs.set(t.type, first);
    return t.timestamp < first + durationMs;
  });
  const bytes = (type: FlvTagType): number =>
    tags.filter((t) => t.type === type && !t.config).reduce((a, t) => a + t.body.length, 0);
  return {
    tags,
    durationMs,
    videoBytes: bytes(FlvTagType.Video),
    audioBytes: bytes(FlvTagType.Audio),
    keyframes: video.filter((t) => t.keyframe).length,
    videoFrames: video.length,
  };
}
