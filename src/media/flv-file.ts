import { MediaFormatError } from '../errors.js';

/**
 * FLV files (FLV spec, Annex E): split a whole file into its tags, and build one from tags.
 * Pure: works on Buffers. The tag bodies are what RTMP audio, video and data messages carry,
 * so tests replay them to the server and the benchmark chunks them for its publishers.
 */

/** FLV tag types (FLV spec E.4.1); they equal the RTMP message type ids. */
export enum FlvTagType {
  Audio = 8,
  Video = 9,
  Script = 18,
}

export interface FlvTag {
  /** Audio, video or script data (other types are skipped when reading). */
  readonly type: FlvTagType;
  /** Timestamp in ms (24 bits + extended byte). */
  readonly timestamp: number;
  /** The tag body: the RTMP message payload. When read, a view into the file. */
  readonly body: Buffer;
}

const SIGNATURE = 'FLV';
const VERSION = 1;
const FILE_HEADER_SIZE = 9;
const TAG_HEADER_SIZE = 11;
const PREVIOUS_TAG_SIZE = 4;
/** TypeFlags of the file header. */
const HAS_AUDIO = 0x04;
const HAS_VIDEO = 0x01;
/** Low 5 bits of a tag's first byte: the type (the top bits are reserved / filter flag). */
const TAG_TYPE_MASK = 0x1f;

function isTagType(type: number): type is FlvTagType {
  return type === FlvTagType.Audio || type === FlvTagType.Video || type === FlvTagType.Script;
}

/**
 * The audio, video and script tags of an FLV file, in file order. A truncated final tag (a
 * file still being written) is left out. Throws MediaFormatError when it is not FLV.
 */
export function readFlvTags(file: Buffer): FlvTag[] {
  if (file.length < FILE_HEADER_SIZE || file.toString('latin1', 0, 3) !== SIGNATURE) {
    throw new MediaFormatError('not an FLV file');
  }
  const dataOffset = file.readUInt32BE(5);
  if (dataOffset < FILE_HEADER_SIZE) {
    throw new MediaFormatError(`FLV header size ${dataOffset} is below ${FILE_HEADER_SIZE}`);
  }
  const tags: FlvTag[] = [];
  let pos = dataOffset + PREVIOUS_TAG_SIZE;
  while (pos + TAG_HEADER_SIZE <= file.length) {
    const type = file[pos]! & TAG_TYPE_MASK;
    const size = file.readUIntBE(pos + 1, 3);
    const timestamp = file.readUIntBE(pos + 4, 3) + file[pos + 7]! * 2 ** 24;
    const start = pos + TAG_HEADER_SIZE;
    if (start + size > file.length) break;
    if (isTagType(type)) tags.push({ type, timestamp, body: file.subarray(start, start + size) });
    pos = start + size + PREVIOUS_TAG_SIZE;
  }
  return tags;
}

/** Just the video tags of an FLV file. */
export function readFlvVideoTags(file: Buffer): FlvTag[] {
  return readFlvTags(file).filter((t) => t.type === FlvTagType.Video);
}

/** An FLV file holding `tags` (header flags from the tag types present). */
export function writeFlv(tags: readonly FlvTag[]): Buffer {
  let flags = 0;
  for (const t of tags) {
    if (t.type === FlvTagType.Audio) flags |= HAS_AUDIO;
    if (t.type === FlvTagType.Video) flags |= HAS_VIDEO;
  }
  const size = tags.reduce(
    (n, t) => n + TAG_HEADER_SIZE + t.body.length + PREVIOUS_TAG_SIZE,
    FILE_HEADER_SIZE + PREVIOUS_TAG_SIZE,
  );
  const out = Buffer.alloc(size);
  out.write(SIGNATURE, 0, 'latin1');
  out[3] = VERSION;
  out[4] = flags;
  out.writeUInt32BE(FILE_HEADER_SIZE, 5);
  let pos = FILE_HEADER_SIZE + PREVIOUS_TAG_SIZE; // PreviousTagSize0 = 0
  for (const t of tags) {
    out[pos] = t.type;
    out.writeUIntBE(t.body.length, pos + 1, 3);
    out.writeUIntBE(t.timestamp % 2 ** 24, pos + 4, 3);
    out[pos + 7] = Math.floor(t.timestamp / 2 ** 24) & 0xff;
    t.body.copy(out, pos + TAG_HEADER_SIZE);
    pos += TAG_HEADER_SIZE + t.body.length;
    out.writeUInt32BE(TAG_HEADER_SIZE + t.body.length, pos);
    pos += PREVIOUS_TAG_SIZE;
  }
  return out;
}
