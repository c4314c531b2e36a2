import '../util/polyfill.js';
import { parentPort } from 'node:worker_threads';
import { LivesnapError } from '../errors.js';
import type { VideoCodec } from '../stream/stream-types.js';
import { decodeKeyframe } from './decode-keyframe.js';
import { frameToJpeg, ScalerPool } from './frame-to-jpeg.js';

/**
 * A capture worker thread (started by capture-workers.ts): decodes one keyframe at a time and
 * encodes the picture as a JPEG, with node-av's synchronous calls. Running the native work
 * on a few dedicated threads, rather than on whichever of libuv's many pool threads is free,
 * keeps the C heap's per-thread arenas (and the 1080p pictures they cache) to a few, and
 * leaves the event loop only a message per snapshot.
 */

/** A keyframe to turn into a JPEG. */
export interface CaptureTask {
  readonly id: number;
  readonly codec: VideoCodec;
  readonly record: Uint8Array;
  /** The keyframe's bytes, transferred. */
  readonly data: Uint8Array;
  readonly quality: number;
}

export type CaptureReply =
  | {
      readonly id: number;
      readonly jpeg: Uint8Array;
      readonly width: number;
      readonly height: number;
    }
  | { readonly id: number; readonly error: { readonly code: string; readonly message: string } };

const port = parentPort;
if (port === null) throw new Error('capture-worker.ts runs as a worker thread');

// FFmpeg's log level is process-wide: the app sets it (capture/ffmpeg-log.ts).
const scalers = new ScalerPool(1);

port.on('message', (task: CaptureTask) => {
  let reply: CaptureReply;
  try {
    const frame = decodeKeyframe(
      { codec: task.codec, record: toBuffer(task.record), width: 0, height: 0, profile: '' },
      toBuffer(task.data),
    );
    try {
      const jpeg = frameToJpeg(frame, task.quality, scalers);
      reply = { id: task.id, jpeg, width: frame.width, height: frame.height };
    } finally {
      frame.free();
    }
  } catch (err) {
    reply = {
      id: task.id,
      error: {
        code: err instanceof LivesnapError ? err.code : 'CAPTURE_DECODE_FAILED',
        message: err instanceof Error ? err.message : String(err),
      },
    };
  }
  // The JPEG is node-av's own copy: hand its memory over instead of copying it again (unless
  // it shares its memory with other buffers).
  const jpeg = 'jpeg' in reply ? reply.jpeg : undefined;
  const own = jpeg !== undefined && jpeg.byteLength === jpeg.buffer.byteLength;
  port.postMessage(reply, own ? [jpeg.buffer as ArrayBuffer] : []);
});

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
