import { ProtocolError } from '../../errors.js';
import type { OutgoingMessage } from './chunk-writer.js';
import {
  ChunkStreamId,
  MessageType,
  PeerBandwidthLimit,
  UserControlEvent,
  type RtmpMessage,
} from './rtmp-types.js';

/**
 * Protocol control messages (types 1–6) and user control events (type 4): builders for what
 * the server sends and parsers for what clients send. Pure.
 */

function control(type: MessageType, payload: Buffer): OutgoingMessage {
  return { csid: ChunkStreamId.Control, type, streamId: 0, timestamp: 0, payload };
}

function u32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}

export function setChunkSizeMessage(size: number): OutgoingMessage {
  return control(MessageType.SetChunkSize, u32(size & 0x7fffffff));
}

export function windowAckSizeMessage(size: number): OutgoingMessage {
  return control(MessageType.WindowAckSize, u32(size));
}

export function acknowledgementMessage(sequence: number): OutgoingMessage {
  return control(MessageType.Acknowledgement, u32(sequence));
}

export function setPeerBandwidthMessage(size: number, limit: PeerBandwidthLimit): OutgoingMessage {
  const b = Buffer.allocUnsafe(5);
  b.writeUInt32BE(size >>> 0, 0);
  b[4] = limit;
  return control(MessageType.SetPeerBandwidth, b);
}

export function userControlMessage(event: UserControlEvent, value: number): OutgoingMessage {
  const b = Buffer.allocUnsafe(6);
  b.writeUInt16BE(event, 0);
  b.writeUInt32BE(value >>> 0, 2);
  return control(MessageType.UserControl, b);
}

/** A 4-byte big-endian value (Window Ack Size, Acknowledgement, Set Chunk Size, Abort). */
export function readU32Message(message: RtmpMessage): number {
  if (message.payload.length < 4) {
    throw new ProtocolError(`short ${MessageType[message.type] ?? message.type} message`);
  }
  return message.payload.readUInt32BE(0);
}

export interface UserControl {
  readonly event: UserControlEvent | number;
  /** Stream id or ping timestamp (first 4 bytes of event data). */
  readonly value: number;
}

export function parseUserControl(message: RtmpMessage): UserControl {
  const p = message.payload;
  if (p.length < 2) throw new ProtocolError('short user control message');
  return { event: p.readUInt16BE(0), value: p.length >= 6 ? p.readUInt32BE(2) : 0 };
}
