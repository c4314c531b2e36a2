import { ProtocolError } from '../../errors.js';
import {
  ChunkFormat,
  DEFAULT_CHUNK_SIZE,
  EXTENDED_TIMESTAMP,
  MAX_CHUNK_STREAM_ID,
  MAX_MESSAGE_LENGTH,
  MESSAGE_HEADER_SIZE,
  type RtmpMessage,
} from './rtmp-types.js';

/**
 * Splits messages into chunks (RTMP spec 5.3). Like FFmpeg it compresses headers against the
 * previous message on the same chunk stream: type 0 for a new stream id or a timestamp going
 * back, type 1 for a new length or type, type 2 for a new delta, type 3 otherwise. Extended
 * timestamps are repeated on every type-3 chunk. Pure: returns bytes, never writes them.
 */

export type OutgoingMessage = Omit<RtmpMessage, 'csid'> & { readonly csid: number };

interface PreviousHeader {
  timestamp: number;
  delta: number;
  length: number;
  type: number;
  streamId: number;
}

function basicHeaderSize(csid: number): number {
  return csid < 64 ? 1 : csid < 320 ? 2 : 3;
}

function writeBasicHeader(buf: Buffer, pos: number, fmt: ChunkFormat, csid: number): number {
  if (csid < 64) {
    buf[pos] = (fmt << 6) | csid;
    return pos + 1;
  }
  if (csid < 320) {
    buf[pos] = fmt << 6;
    buf[pos + 1] = csid - 64;
    return pos + 2;
  }
  buf[pos] = (fmt << 6) | 1;
  buf.writeUInt16LE(csid - 64, pos + 1);
  return pos + 3;
}

export class ChunkWriter {
  private outChunkSize = DEFAULT_CHUNK_SIZE;
  private readonly previous = new Map<number, PreviousHeader>();

  get chunkSize(): number {
    return this.outChunkSize;
  }

  /** Use a new chunk size for later messages (after sending Set Chunk Size). */
  setChunkSize(size: number): void {
    if (!Number.isInteger(size) || size < 1 || size > 0x7fffffff) {
      throw new ProtocolError(`invalid chunk size ${size}`);
    }
    this.outChunkSize = Math.min(size, MAX_MESSAGE_LENGTH);
  }

  /** The chunks of one message, ready to send. */
  write(message: OutgoingMessage): Buffer {
    const { csid, type, streamId, payload } = message;
    const timestamp = message.timestamp >>> 0;
    if (!Number.isInteger(csid) || csid < 2 || csid > MAX_CHUNK_STREAM_ID) {
      throw new ProtocolError(`invalid chunk stream id ${csid}`);
    }
    if (payload.length > MAX_MESSAGE_LENGTH) {
      throw new ProtocolError(`message of ${payload.length} bytes is too long for RTMP`);
    }
    const prev = this.previous.get(csid);
    let fmt: ChunkFormat;
    let field: number;
    if (!prev || prev.streamId !== streamId || timestamp < prev.timestamp) {
      fmt = ChunkFormat.Full;
      field = timestamp;
    } else {
      field = timestamp - prev.timestamp;
      if (payload.length !== prev.length || type !== prev.type) fmt = ChunkFormat.SameStream;
      else if (field !== prev.delta) fmt = ChunkFormat.TimestampOnly;
      else fmt = ChunkFormat.Continuation;
    }
    this.previous.set(csid, { timestamp, delta: field, length: payload.length, type, streamId });

    const extended = field >= EXTENDED_TIMESTAMP;
    const basic = basicHeaderSize(csid);
    const ext = extended ? 4 : 0;
    const chunks = Math.max(1, Math.ceil(payload.length / this.outChunkSize));
    const size =
      basic + MESSAGE_HEADER_SIZE[fmt] + ext + payload.length + (chunks - 1) * (basic + ext);
    const out = Buffer.allocUnsafe(size);

    let p = writeBasicHeader(out, 0, fmt, csid);
    if (fmt !== ChunkFormat.Continuation) {
      out.writeUIntBE(extended ? EXTENDED_TIMESTAMP : field, p, 3);
      p += 3;
      if (fmt !== ChunkFormat.TimestampOnly) {
        out.writeUIntBE(payload.length, p, 3);
        out[p + 3] = type;
        p += 4;
        if (fmt === ChunkFormat.Full) {
          out.writeUInt32LE(streamId >>> 0, p);
          p += 4;
        }
      }
    }
    if (extended) p = out.writeUInt32BE(field, p);
    for (let off = 0; off < payload.length || off === 0;) {
      if (off > 0) {
        p = writeBasicHeader(out, p, ChunkFormat.Continuation, csid);
        if (extended) p = out.writeUInt32BE(field, p);
      }
      const n = Math.min(this.outChunkSize, payload.length - off);
      p += payload.copy(out, p, off, off + n);
      off += n;
      if (n === 0) break;
    }
    return out;
  }
}
