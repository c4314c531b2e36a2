import { ProtocolError } from '../../errors.js';
import {
  ChunkFormat,
  DEFAULT_CHUNK_SIZE,
  EXTENDED_TIMESTAMP,
  MAX_MESSAGE_LENGTH,
  MESSAGE_HEADER_SIZE,
  MessageType,
  type RtmpMessage,
} from './rtmp-types.js';

/**
 * Incremental RTMP chunk stream parser (RTMP spec 5.3). Fed arbitrary slices of the byte
 * stream, it reassembles messages from interleaved chunk streams and hands each complete
 * message to `onMessage`. It handles the chunk-layer control messages itself (Set Chunk Size,
 * Abort) before they are passed on.
 *
 * A message is assembled once: its chunk payloads are kept as views of the received slices
 * and copied exactly once, into the message's own buffer, when it completes. With
 * `viewPayloads`, nothing is copied until it is needed: a message that arrives whole inside
 * one slice (one chunk) gets a view of that slice as its payload, and one that spans several
 * chunks is assembled when its payload is first read (a DeferredPayload: a video frame that
 * nobody decodes is never assembled). Only an incomplete chunk header (at most 18 bytes) is
 * ever copied aside between slices.
 */

export interface ChunkReaderOptions {
  /** Largest message accepted; a longer one is a ProtocolError. */
  readonly maxMessageSize: number;
  /** Called synchronously for each complete message; may throw to stop parsing. */
  readonly onMessage: (message: RtmpMessage) => void;
  /** Most chunk streams tracked at once (default 64). */
  readonly maxChunkStreams?: number;
  /**
   * The pushed buffers are never reused or changed by the caller (socket reads: Node hands
   * out a fresh buffer for each), so a payload may be a view of one instead of a copy. Such a
   * view keeps that one received buffer alive while the message is held. Default false.
   */
  readonly viewPayloads?: boolean;
}

/** A payload not assembled yet: its first chunk, its length, and the whole on demand. */
export interface DeferredPayload {
  /** The first chunk's bytes (a prefix of the payload). */
  readonly head: Buffer;
  readonly length: number;
  /** The whole payload, assembled on the first call. */
  full(): Buffer;
}

/** A message of several chunks, kept as received until its payload is first read. */
class ChunkedMessage implements RtmpMessage, DeferredPayload {
  readonly length: number;
  #parts: Buffer[] | undefined;
  #payload: Buffer | undefined;

  constructor(
    readonly type: number,
    readonly streamId: number,
    readonly timestamp: number,
    readonly csid: number,
    parts: Buffer[],
    length: number,
  ) {
    this.#parts = parts;
    this.length = length;
  }

  get payload(): Buffer {
    if (this.#payload === undefined) {
      this.#payload = Buffer.concat(this.#parts!, this.length);
      this.#parts = undefined;
    }
    return this.#payload;
  }

  get head(): Buffer {
    return this.#payload ?? this.#parts![0]!;
  }

  full(): Buffer {
    return this.payload;
  }
}

/** The message's payload as a DeferredPayload when it has not been assembled yet. */
export function deferredPayload(message: RtmpMessage): DeferredPayload | undefined {
  return message instanceof ChunkedMessage ? message : undefined;
}

/** Basic header (3) + message header (11) + extended timestamp (4). */
const MAX_HEADER_SIZE = 18;

/** Per chunk stream: the previous header and the message being assembled. */
interface ChunkStream {
  readonly csid: number;
  timestamp: number;
  /** Delta applied by a type-3 chunk that starts a new message. */
  delta: number;
  length: number;
  type: number;
  streamId: number;
  /** The previous type 0/1/2 header used an extended timestamp. */
  extended: boolean;
  /** Its value, repeated by some senders on type-3 chunks. */
  extendedValue: number;
  /** A message is being assembled. */
  active: boolean;
  received: number;
  parts: Buffer[];
}

export class ChunkReader {
  private readonly streams = new Map<number, ChunkStream>();
  private readonly maxStreams: number;
  private readonly viewPayloads: boolean;
  private inChunkSize = DEFAULT_CHUNK_SIZE;
  /** Chunk stream whose chunk payload is being read; undefined while reading a header. */
  private current: ChunkStream | undefined;
  private chunkRemaining = 0;
  private stash: Buffer | undefined;
  /** Total length of the messages being assembled, across chunk streams. */
  private committed = 0;
  private stopped = false;
  /** Partial messages dropped by Abort or by a new header mid-message. */
  discarded = 0;

  constructor(private readonly options: ChunkReaderOptions) {
    this.maxStreams = options.maxChunkStreams ?? 64;
    this.viewPayloads = options.viewPayloads ?? false;
  }

  /** The peer's current chunk size. */
  get chunkSize(): number {
    return this.inChunkSize;
  }

  /** Stop parsing: later pushes are ignored and held buffers released. */
  stop(): void {
    this.stopped = true;
    this.streams.clear();
    this.stash = undefined;
    this.current = undefined;
  }

  push(data: Buffer): void {
    let pos = 0;
    if (this.stash) {
      const stashed = this.stash.length;
      const take = Math.min(data.length, MAX_HEADER_SIZE - stashed);
      const combined = Buffer.concat([this.stash, data.subarray(0, take)]);
      const end = this.readHeader(combined, 0);
      if (end < 0) {
        this.stash = combined;
        return;
      }
      this.stash = undefined;
      pos = end - stashed;
    }
    while (pos < data.length && !this.stopped) {
      const cs = this.current;
      if (cs === undefined) {
        const end = this.readHeader(data, pos);
        if (end < 0) {
          this.stash = Buffer.from(data.subarray(pos));
          return;
        }
        pos = end;
        continue;
      }
      const n = Math.min(this.chunkRemaining, data.length - pos);
      if (n === cs.length && this.viewPayloads) {
        // The whole message in one chunk, inside this slice: hand on a view, no copy.
        pos += n;
        this.chunkRemaining = 0;
        this.current = undefined;
        this.complete(cs, data.subarray(pos - n, pos));
        continue;
      }
      cs.parts.push(data.subarray(pos, pos + n));
      cs.received += n;
      pos += n;
      this.chunkRemaining -= n;
      if (this.chunkRemaining === 0) this.endChunk(cs);
    }
  }

  /** Parse one chunk header at `pos`; returns the offset after it, or -1 if incomplete. */
  private readHeader(buf: Buffer, pos: number): number {
    const avail = buf.length - pos;
    if (avail < 1) return -1;
    const b0 = buf[pos]!;
    const fmt = (b0 >> 6) as ChunkFormat;
    let csid = b0 & 0x3f;
    let p = pos + 1;
    if (csid === 0) {
      if (avail < 2) return -1;
      csid = 64 + buf[p]!;
      p += 1;
    } else if (csid === 1) {
      if (avail < 3) return -1;
      csid = 64 + buf[p]! + buf[p + 1]! * 256;
      p += 2;
    }
    if (buf.length - p < MESSAGE_HEADER_SIZE[fmt]) return -1;

    let cs = this.streams.get(csid);
    if (cs === undefined) {
      if (fmt === ChunkFormat.TimestampOnly || fmt === ChunkFormat.Continuation) {
        throw new ProtocolError(`chunk stream ${csid} starts with a type ${fmt} header`);
      }
      if (this.streams.size >= this.maxStreams) {
        throw new ProtocolError(`more than ${this.maxStreams} chunk streams`);
      }
      cs = {
        csid,
        timestamp: 0,
        delta: 0,
        length: 0,
        type: 0,
        streamId: 0,
        extended: false,
        extendedValue: 0,
        active: false,
        received: 0,
        parts: [],
      };
      // Registered only once the header is complete (below), so an incomplete one retries.
    }

    let field = 0;
    let length = cs.length;
    let type = cs.type;
    let streamId = cs.streamId;
    if (fmt !== ChunkFormat.Continuation) {
      field = buf.readUIntBE(p, 3);
      if (fmt !== ChunkFormat.TimestampOnly) {
        length = buf.readUIntBE(p + 3, 3);
        type = buf[p + 6]!;
        if (fmt === ChunkFormat.Full) streamId = buf.readUInt32LE(p + 7);
      }
      p += MESSAGE_HEADER_SIZE[fmt];
    }

    let value = field;
    let extended = false;
    if (fmt !== ChunkFormat.Continuation) {
      if (field === EXTENDED_TIMESTAMP) {
        if (buf.length - p < 4) return -1;
        value = buf.readUInt32BE(p);
        extended = true;
        p += 4;
      }
    } else if (cs.extended) {
      // Type-3 chunks repeat the extended timestamp (FFmpeg, OBS). Some senders omit it on
      // continuation chunks: consume it there only if it matches the value we expect.
      if (buf.length - p < 4) return -1;
      const v = buf.readUInt32BE(p);
      if (!cs.active || v === cs.extendedValue) {
        value = v;
        p += 4;
      }
    }

    this.streams.set(csid, cs);
    if (fmt === ChunkFormat.Continuation && cs.active) {
      // Next chunk of the message in progress.
    } else {
      if (cs.active) this.dropPartial(cs);
      switch (fmt) {
        case ChunkFormat.Full:
          cs.timestamp = value;
          cs.delta = value;
          break;
        case ChunkFormat.SameStream:
        case ChunkFormat.TimestampOnly:
          cs.delta = value;
          cs.timestamp = (cs.timestamp + value) >>> 0;
          break;
        case ChunkFormat.Continuation:
          if (cs.extended) cs.delta = value;
          cs.timestamp = (cs.timestamp + cs.delta) >>> 0;
          break;
      }
      if (fmt !== ChunkFormat.Continuation) {
        cs.extended = extended;
        cs.extendedValue = value;
      }
      if (length > this.options.maxMessageSize) {
        throw new ProtocolError(
          `message of ${length} bytes exceeds the limit of ${this.options.maxMessageSize}`,
        );
      }
      // Interleaved messages may each be large, but together they stay bounded.
      if (this.committed + length > 2 * this.options.maxMessageSize) {
        throw new ProtocolError('too many bytes held in partial messages');
      }
      this.committed += length;
      cs.length = length;
      cs.type = type;
      cs.streamId = streamId;
      cs.active = true;
      cs.received = 0;
      cs.parts.length = 0;
    }
    this.current = cs;
    this.chunkRemaining = Math.min(this.inChunkSize, cs.length - cs.received);
    if (this.chunkRemaining === 0) this.endChunk(cs);
    return p;
  }

  private dropPartial(cs: ChunkStream): void {
    this.committed -= cs.length;
    cs.active = false;
    cs.received = 0;
    cs.parts.length = 0;
    this.discarded++;
  }

  private endChunk(cs: ChunkStream): void {
    this.current = undefined;
    if (cs.received < cs.length) return;
    if (this.viewPayloads && cs.parts.length > 1) {
      // The parts stay views of what was pushed, handed over to the message.
      const { parts } = cs;
      cs.parts = [];
      const m = new ChunkedMessage(cs.type, cs.streamId, cs.timestamp, cs.csid, parts, cs.length);
      this.deliver(cs, m);
      return;
    }
    this.complete(cs, Buffer.concat(cs.parts, cs.length));
  }

  private complete(cs: ChunkStream, payload: Buffer): void {
    cs.parts.length = 0;
    this.deliver(cs, {
      type: cs.type,
      streamId: cs.streamId,
      timestamp: cs.timestamp,
      csid: cs.csid,
      payload,
    });
  }

  private deliver(cs: ChunkStream, message: RtmpMessage): void {
    this.committed -= cs.length;
    cs.active = false;
    cs.received = 0;
    this.control(message);
    this.options.onMessage(message);
  }

  /** Chunk-layer control: applied before any further byte is parsed. */
  private control(message: RtmpMessage): void {
    if (message.type === MessageType.SetChunkSize) {
      if (message.payload.length < 4) throw new ProtocolError('short Set Chunk Size message');
      const size = message.payload.readUInt32BE(0);
      if (size < 1 || size > 0x7fffffff) {
        throw new ProtocolError(`invalid chunk size ${size}`);
      }
      // No message exceeds 0xFFFFFF bytes, so every larger chunk size means the same.
      this.inChunkSize = Math.min(size, MAX_MESSAGE_LENGTH);
    } else if (message.type === MessageType.Abort) {
      if (message.payload.length < 4) throw new ProtocolError('short Abort message');
      const cs = this.streams.get(message.payload.readUInt32BE(0));
      if (cs?.active) this.dropPartial(cs);
    }
  }
}
