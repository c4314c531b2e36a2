/**
 * RTMP chunk stream (RTMP spec 5.3): a writer that turns one message into its chunk bytes,
 * and a reader that reassembles the server's chunks into messages. Pure: no sockets.
 */

export enum MessageType {
  SetChunkSize = 1,
  Abort = 2,
  Acknowledgement = 3,
  UserControl = 4,
  WindowAckSize = 5,
  SetPeerBandwidth = 6,
  Audio = 8,
  Video = 9,
  DataAmf0 = 18,
  CommandAmf0 = 20,
}

export enum UserControlEvent {
  StreamBegin = 0,
  PingRequest = 6,
  PingResponse = 7,
}

/** Chunk stream ids the publisher uses (the same as FFmpeg's RTMP client). */
export enum ChunkStreamId {
  Control = 2,
  Command = 3,
  Audio = 4,
  Data = 5,
  Video = 6,
  Publish = 8,
}

export interface RtmpMessage {
  readonly typeId: number;
  readonly timestamp: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

const EXTENDED_TIMESTAMP = 0xffffff;
const FMT_FULL = 0;
const FMT_CONTINUATION = 3;

function basicHeader(fmt: number, csid: number): Buffer {
  if (csid >= 2 && csid <= 63) return Buffer.of((fmt << 6) | csid);
  if (csid >= 64 && csid <= 319) return Buffer.of(fmt << 6, csid - 64);
  if (csid >= 320 && csid <= 65599) {
    const id = csid - 64;
    return Buffer.of((fmt << 6) | 1, id & 0xff, id >> 8);
  }
  throw new Error(`chunk stream id ${csid} out of range`);
}

/**
 * The chunk bytes of one message: a format-0 header (absolute timestamp), then format-3
 * continuation headers every `chunkSize` payload bytes.
 */
export function chunkMessage(csid: number, message: RtmpMessage, chunkSize: number): Buffer {
  const { payload } = message;
  const extended = message.timestamp >= EXTENDED_TIMESTAMP;
  const first = basicHeader(FMT_FULL, csid);
  const continuation = basicHeader(FMT_CONTINUATION, csid);
  const ext = extended ? Buffer.alloc(4) : Buffer.alloc(0);
  if (extended) ext.writeUInt32BE(message.timestamp >>> 0);
  const chunks = Math.max(1, Math.ceil(payload.length / chunkSize));
  const size =
    first.length +
    11 +
    ext.length +
    payload.length +
    (chunks - 1) * (continuation.length + ext.length);
  const out = Buffer.allocUnsafe(size);
  let pos = first.copy(out, 0);
  out.writeUIntBE(extended ? EXTENDED_TIMESTAMP : message.timestamp, pos, 3);
  out.writeUIntBE(payload.length, pos + 3, 3);
  out[pos + 6] = message.typeId;
  out.writeUInt32LE(message.streamId, pos + 7);
  pos += 11;
  pos += ext.copy(out, pos);
  for (let offset = 0; offset < payload.length || offset === 0; offset += chunkSize) {
    if (offset > 0) {
      pos += continuation.copy(out, pos);
      pos += ext.copy(out, pos);
    }
    pos += payload.copy(out, pos, offset, Math.min(payload.length, offset + chunkSize));
    if (payload.length === 0) break;
  }
  return out;
}

interface ChunkStreamState {
  timestamp: number;
  delta: number;
  length: number;
  typeId: number;
  streamId: number;
  extended: boolean;
  parts: Buffer[];
  received: number;
}

/** Reassembles messages from incoming chunk bytes; follows the peer's Set Chunk Size. */
export class ChunkReader {
  #chunkSize = 128;
  #pending: Buffer = Buffer.alloc(0);
  readonly #streams = new Map<number, ChunkStreamState>();

  /** Feeds bytes; returns every message completed by them. */
  push(data: Buffer): RtmpMessage[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, data]) : data;
    const out: RtmpMessage[] = [];
    for (;;) {
      const consumed = this.#readChunk(out);
      if (consumed === 0) break;
      this.#pending = this.#pending.subarray(consumed);
    }
    return out;
  }

  /** Parses one chunk at the start of the pending bytes; 0 when incomplete. */
  #readChunk(out: RtmpMessage[]): number {
    const buf = this.#pending;
    if (buf.length < 1) return 0;
    const fmt = buf[0]! >> 6;
    let csid = buf[0]! & 0x3f;
    let pos = 1;
    if (csid === 0) {
      if (buf.length < 2) return 0;
      csid = buf[1]! + 64;
      pos = 2;
    } else if (csid === 1) {
      if (buf.length < 3) return 0;
      csid = buf[1]! + buf[2]! * 256 + 64;
      pos = 3;
    }
    const headerSize = [11, 7, 3, 0][fmt]!;
    if (buf.length < pos + headerSize) return 0;
    const prev = this.#streams.get(csid);
    if (fmt !== FMT_FULL && !prev)
      throw new Error(`RTMP: chunk stream ${csid} starts without a header`);
    const state: ChunkStreamState = prev ?? {
      timestamp: 0,
      delta: 0,
      length: 0,
      typeId: 0,
      streamId: 0,
      extended: false,
      parts: [],
      received: 0,
    };
    let field = 0;
    if (fmt <= 2) field = buf.readUIntBE(pos, 3);
    if (fmt <= 1) {
      state.length = buf.readUIntBE(pos + 3, 3);
      state.typeId = buf[pos + 6]!;
    }
    if (fmt === FMT_FULL) state.streamId = buf.readUInt32LE(pos + 7);
    pos += headerSize;
    const extended = fmt <= 2 ? field === EXTENDED_TIMESTAMP : state.extended;
    if (extended) {
      if (buf.length < pos + 4) return 0;
      field = fmt <= 2 ? buf.readUInt32BE(pos) : field;
      pos += 4;
    }
    const startsMessage = state.received === 0;
    const take = Math.min(this.#chunkSize, state.length - state.received);
    if (buf.length < pos + take) return 0;
    // The chunk is complete: commit the header fields.
    state.extended = extended;
    if (fmt === FMT_FULL) state.timestamp = field;
    else if (fmt <= 2) state.delta = field;
    if (startsMessage && fmt !== FMT_FULL) {
      state.timestamp += fmt === FMT_CONTINUATION ? state.delta : field;
    }
    state.parts.push(buf.subarray(pos, pos + take));
    state.received += take;
    this.#streams.set(csid, state);
    if (state.received >= state.length) {
      const payload = Buffer.concat(state.parts);
      state.parts = [];
      state.received = 0;
      const message = {
        typeId: state.typeId,
        timestamp: state.timestamp,
        streamId: state.streamId,
        payload,
      };
      if (message.typeId === MessageType.SetChunkSize && payload.length >= 4) {
        this.#chunkSize = payload.readUInt32BE(0) & 0x7fffffff;
      }
      out.push(message);
    }
    return pos + take;
  }
}
