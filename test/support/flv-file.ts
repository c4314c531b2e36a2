/**
 * A minimal FLV file reader for tests: splits a whole .flv file into its tags so tests can
 * feed video tag bodies to the parsers (or replay them as RTMP messages).
 */

/** FLV tag types (FLV spec E.4.1). */
export enum FlvTagType {
  Audio = 8,
  Video = 9,
  Script = 18,
}

export interface FlvTag {
  readonly type: FlvTagType;
  /** Timestamp in ms (24 bits + extended byte). */
  readonly timestamp: number;
  /** The tag body: for video, what an RTMP video message carries. A view into the file. */
  readonly body: Buffer;
}

const FILE_HEADER_SIZE = 9;
const TAG_HEADER_SIZE = 11;
const PREVIOUS_TAG_SIZE = 4;

export function readFlvTags(file: Buffer): FlvTag[] {
  if (file.length < FILE_HEADER_SIZE || file.toString('latin1', 0, 3) !== 'FLV') {
    throw new Error('not an FLV file');
  }
  const tags: FlvTag[] = [];
  let pos = file.readUInt32BE(5) + PREVIOUS_TAG_SIZE;
  while (pos + TAG_HEADER_SIZE <= file.length) {
    const type = file[pos]! & 0x1f;
    const size = file.readUIntBE(pos + 1, 3);
    const timestamp = file.readUIntBE(pos + 4, 3) + file[pos + 7]! * 2 ** 24;
    const start = pos + TAG_HEADER_SIZE;
    if (start + size > file.length) break; // truncated final tag
    tags.push({ type, timestamp, body: file.subarray(start, start + size) });
    pos = start + size + PREVIOUS_TAG_SIZE;
  }
  return tags;
}

/** Just the video tags. */
export function readFlvVideoTags(file: Buffer): FlvTag[] {
  return readFlvTags(file).filter((t) => t.type === FlvTagType.Video);
}
