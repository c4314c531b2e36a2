/** RTMP protocol constants and the message shape shared by the chunk layer and the session. */

/** RTMP message type ids (RTMP spec 5.4, 7.1). */
export enum MessageType {
  SetChunkSize = 1,
  Abort = 2,
  Acknowledgement = 3,
  UserControl = 4,
  WindowAckSize = 5,
  SetPeerBandwidth = 6,
  Audio = 8,
  Video = 9,
  DataAmf3 = 15,
  SharedObjectAmf3 = 16,
  CommandAmf3 = 17,
  DataAmf0 = 18,
  SharedObjectAmf0 = 19,
  CommandAmf0 = 20,
  Aggregate = 22,
}

/** User control event types (RTMP spec 7.1.7). */
export enum UserControlEvent {
  StreamBegin = 0,
  StreamEof = 1,
  StreamDry = 2,
  SetBufferLength = 3,
  StreamIsRecorded = 4,
  PingRequest = 6,
  PingResponse = 7,
}

/** Chunk message header formats (fmt field of the basic header, RTMP spec 5.3.1.2). */
export enum ChunkFormat {
  /** 11 bytes: absolute timestamp, length, type, stream id. */
  Full = 0,
  /** 7 bytes: timestamp delta, length, type; same stream id. */
  SameStream = 1,
  /** 3 bytes: timestamp delta only. */
  TimestampOnly = 2,
  /** No header: continuation, or a new message repeating the previous header. */
  Continuation = 3,
}

/** Size of the chunk message header for each format. */
export const MESSAGE_HEADER_SIZE: Readonly<Record<ChunkFormat, number>> = {
  [ChunkFormat.Full]: 11,
  [ChunkFormat.SameStream]: 7,
  [ChunkFormat.TimestampOnly]: 3,
  [ChunkFormat.Continuation]: 0,
};

/** Limit types of Set Peer Bandwidth. */
export enum PeerBandwidthLimit {
  Hard = 0,
  Soft = 1,
  Dynamic = 2,
}

/** Chunk stream ids the server sends on. */
export enum ChunkStreamId {
  /** Protocol control and user control messages (must be 2). */
  Control = 2,
  /** Command responses on the connection. */
  Command = 3,
  /** Status messages on a message stream. */
  Stream = 5,
}

/** Chunk stream ids a publishing client sends on (those of FFmpeg's RTMP client). */
export enum ClientChunkStreamId {
  Control = 2,
  Command = 3,
  Audio = 4,
  Data = 5,
  Video = 6,
  /** `publish` and the other NetStream commands. */
  Stream = 8,
}

/** Largest chunk stream id: 3-byte basic header, 65535 + 64. */
export const MAX_CHUNK_STREAM_ID = 65599;
/** Chunk size both sides start with. */
export const DEFAULT_CHUNK_SIZE = 128;
/** Timestamp field value that says a 4-byte extended timestamp follows. */
export const EXTENDED_TIMESTAMP = 0xffffff;
/** No message is longer than this (24-bit length), so larger chunk sizes are equivalent. */
export const MAX_MESSAGE_LENGTH = 0xffffff;

/** One complete RTMP message. */
export interface RtmpMessage {
  readonly type: MessageType | number;
  /** Message stream id (0 for the connection). */
  readonly streamId: number;
  /** 32-bit timestamp in ms (wraps). */
  readonly timestamp: number;
  /** Chunk stream it arrived on (informational). */
  readonly csid: number;
  readonly payload: Buffer;
}
