/**
 * Turns an FLV clip into what the load generator writes: each tag chunked once into RTMP
 * chunk bytes (format-0 header, absolute timestamp), with the time it is due. The same
 * Buffers go to every stream, because all streams start in step. Looping re-chunks the media
 * tags with a timestamp offset, once per loop. Pure.
 */
import { FlvTagType, type FlvClip } from './flv-reader.js';
import { encodeAmf0 } from './rtmp/amf0.js';
import { ChunkStreamId, chunkMessage } from './rtmp/chunk.js';

export interface ScheduledChunk {
  /** When to write it, in ms from the start of the replay (= its RTMP timestamp). */
  readonly dueMs: number;
  readonly bytes: Buffer;
  readonly keyframe: boolean;
}

const SET_DATA_FRAME = encodeAmf0('@setDataFrame');

function chunkStreamFor(type: FlvTagType): number {
  switch (type) {
    case FlvTagType.Audio:
      return ChunkStreamId.Audio;
    case FlvTagType.Video:
      return ChunkStreamId.Video;
    case FlvTagType.Script:
      return ChunkStreamId.Data;
  }
}

/**
 * The chunks of loop `loop` (0-based). Loop 0 starts with the metadata and sequence headers;
 * later loops carry only media, shifted by `loop × clip.durationMs`.
 */
export function buildLoop(
  clip: FlvClip,
  loop: number,
  streamId: number,
  chunkSize: number,
): ScheduledChunk[] {
  const offset = loop * clip.durationMs;
  const out: ScheduledChunk[] = [];
  for (const tag of clip.tags) {
    if (tag.config && loop > 0) continue;
    // Publishers send metadata as @setDataFrame("onMetaData", {...}), as FFmpeg and OBS do.
    const payload =
      tag.type === FlvTagType.Script ? Buffer.concat([SET_DATA_FRAME, tag.body]) : tag.body;
    const timestamp = tag.config ? 0 : tag.timestamp + offset;
    out.push({
      dueMs: timestamp,
      keyframe: tag.keyframe,
      bytes: chunkMessage(
        chunkStreamFor(tag.type),
        { typeId: tag.type, timestamp, streamId, payload },
        chunkSize,
      ),
    });
  }
  // FLV interleaves audio and video by timestamp already; keep the order stable regardless.
  return out.sort((a, b) => a.dueMs - b.dueMs);
}
