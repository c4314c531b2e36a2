/**
 * The live clip as the load generator replays it: the FLV file's tags (src/media/flv-file.ts),
 * each classified as `config` (metadata, codec sequence headers: sent once per publish) or
 * media (looped), with the loop length. Pure: works on a Buffer.
 */
import { MediaFormatError } from '../src/errors.js';
import { FlvTagType, readFlvTags } from '../src/media/flv-file.js';
import { parseVideoTag } from '../src/media/flv-video.js';

export { FlvTagType };

export interface ClipTag {
  readonly type: FlvTagType;
  /** Timestamp in ms. */
  readonly timestamp: number;
  /** The tag body, i.e. the RTMP message payload. A view into the file. */
  readonly body: Buffer;
  /** Metadata or a codec sequence header: sent once, not looped. */
  readonly config: boolean;
  /** A video keyframe. */
  readonly keyframe: boolean;
}

export interface FlvClip {
  readonly tags: readonly ClipTag[];
  /** Loop length in ms: the video span plus one mean frame interval. */
  readonly durationMs: number;
  readonly videoBytes: number;
  readonly audioBytes: number;
  readonly keyframes: number;
  readonly videoFrames: number;
}

const AUDIO_FORMAT_AAC = 10;
const AAC_SEQUENCE_HEADER = 0;

type Role = 'config' | 'frame' | 'keyframe' | 'end';

function roleOf(type: FlvTagType, body: Buffer): Role {
  if (type === FlvTagType.Script) return 'config';
  if (type === FlvTagType.Audio) {
    const aacHeader = body.length >= 2 && body[0]! >> 4 === AUDIO_FORMAT_AAC;
    return aacHeader && body[1] === AAC_SEQUENCE_HEADER ? 'config' : 'frame';
  }
  let tag;
  try {
    tag = parseVideoTag(body);
  } catch (err) {
    if (err instanceof MediaFormatError) return 'frame'; // replayed as it is
    throw err;
  }
  switch (tag.kind) {
    case 'config':
      return 'config';
    case 'ignored': // Enhanced RTMP metadata and the like: replayed as they are
      return 'frame';
    case 'end-of-sequence':
      return 'end'; // never replayed: the clip loops
    case 'frame':
      return tag.keyframe ? 'keyframe' : 'frame';
  }
}

export function readClip(file: Buffer): FlvClip {
  const all: ClipTag[] = [];
  for (const { type, timestamp, body } of readFlvTags(file)) {
    const role = roleOf(type, body);
    if (role === 'end') continue;
    all.push({ type, timestamp, body, config: role === 'config', keyframe: role === 'keyframe' });
  }
  const video = all.filter((t) => t.type === FlvTagType.Video && !t.config);
  if (video.length === 0) throw new MediaFormatError('FLV has no video');
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
