/**
 * Turns the live clip into what the load generator writes: the clip's tags chunked once per
 * loop into RTMP chunk bytes, each with the time it is due. The same Buffers go to every
 * stream of a phase. Each loop is chunked by a fresh ChunkWriter (src/ingest/rtmp): its first
 * message on each chunk stream carries a full header with the absolute timestamp, later ones
 * the compressed headers FFmpeg sends, so every loop stands on its own. Looping re-chunks the
 * media tags with a timestamp offset, once per loop. Pure.
 */
import { ChunkWriter } from '../src/ingest/rtmp/chunk-writer.js';
import { ClientChunkStreamId } from '../src/ingest/rtmp/rtmp-types.js';
import { encodeAmf0 } from '../src/media/amf0.js';
import { FlvTagType, type FlvClip } from './flv-clip.js';

export interface ScheduledChunk {
  /** When to write it, in ms from the start of the replay (= its RTMP timestamp). */
  readonly dueMs: number;
  readonly bytes: Buffer;
  readonly keyframe: boolean;
}

const SET_DATA_FRAME = encodeAmf0('@setDataFrame');

const CHUNK_STREAM: Readonly<Record<FlvTagType, ClientChunkStreamId>> = {
  [FlvTagType.Audio]: ClientChunkStreamId.Audio,
  [FlvTagType.Video]: ClientChunkStreamId.Video,
  [FlvTagType.Script]: ClientChunkStreamId.Data,
};

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
  // FLV interleaves audio and video by timestamp already; keep the order stable regardless
  // (a chunk writer's headers depend on the order it writes in).
  const tags = clip.tags
    .filter((tag) => !tag.config || loop === 0)
    .map((tag) => ({ tag, timestamp: tag.config ? 0 : tag.timestamp + offset }))
    .sort((a, b) => a.timestamp - b.timestamp);
  const writer = new ChunkWriter();
  writer.setChunkSize(chunkSize);
  return tags.map(({ tag, timestamp }) => ({
    dueMs: timestamp,
    keyframe: tag.keyframe,
    bytes: writer.write({
      csid: CHUNK_STREAM[tag.type],
      type: tag.type,
      streamId,
      timestamp,
      // Publishers send metadata as @setDataFrame("onMetaData", {...}), as FFmpeg and OBS do.
      payload:
        tag.type === FlvTagType.Script ? Buffer.concat([SET_DATA_FRAME, tag.body]) : tag.body,
    }),
  }));
}
