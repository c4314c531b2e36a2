import { ProtocolError } from '../../errors.js';
import { decodeAmf0, encodeAmf0, type AmfObject, type AmfValue } from '../../media/amf0.js';
import type { OutgoingMessage } from './chunk-writer.js';
import { ChunkStreamId, MessageType, type RtmpMessage } from './rtmp-types.js';

/** AMF command and data messages (types 20/17 and 18/15): parsing and the replies we send. */

/** Status codes the server sends in onStatus / _result info objects. */
export enum NetStatus {
  ConnectSuccess = 'NetConnection.Connect.Success',
  PublishStart = 'NetStream.Publish.Start',
  PublishBadName = 'NetStream.Publish.BadName',
  UnpublishSuccess = 'NetStream.Unpublish.Success',
  PlayFailed = 'NetStream.Play.Failed',
}

export enum StatusLevel {
  Status = 'status',
  Error = 'error',
}

export interface Command {
  readonly name: string;
  readonly transactionId: number;
  /** Command object (connect's properties) or null. */
  readonly object: AmfValue;
  /** Further arguments (e.g. publish name and type). */
  readonly args: readonly AmfValue[];
}

/** AMF3 command/data messages start with a format byte (0) and then carry AMF0 values. */
function amfBody(message: RtmpMessage): Buffer {
  const amf3 = message.type === MessageType.CommandAmf3 || message.type === MessageType.DataAmf3;
  return amf3 && message.payload.length > 0 && message.payload[0] === 0
    ? message.payload.subarray(1)
    : message.payload;
}

export function parseCommand(message: RtmpMessage): Command {
  const values = decodeAmf0(amfBody(message));
  const [name, transactionId, object, ...args] = values;
  if (typeof name !== 'string' || name.length === 0) {
    throw new ProtocolError('command message without a command name');
  }
  return {
    name,
    transactionId: typeof transactionId === 'number' ? transactionId : 0,
    object: object ?? null,
    args,
  };
}

/** The values of a data message (`@setDataFrame`, `onMetaData`, ...). */
export function parseDataMessage(message: RtmpMessage): AmfValue[] {
  return decodeAmf0(amfBody(message));
}

export function isAmfObject(v: AmfValue): v is AmfObject {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !Buffer.isBuffer(v)
  );
}

export function commandMessage(
  csid: ChunkStreamId,
  streamId: number,
  ...values: AmfValue[]
): OutgoingMessage {
  return {
    csid,
    type: MessageType.CommandAmf0,
    streamId,
    timestamp: 0,
    payload: encodeAmf0(...values),
  };
}

/** `_result` of a connection-level call. */
export function resultMessage(transactionId: number, ...values: AmfValue[]): OutgoingMessage {
  return commandMessage(ChunkStreamId.Command, 0, '_result', transactionId, ...values);
}

export interface StatusInfo extends AmfObject {
  level: StatusLevel;
  code: NetStatus;
  description: string;
}

/** `onStatus` on a message stream. */
export function onStatusMessage(streamId: number, info: StatusInfo): OutgoingMessage {
  return commandMessage(ChunkStreamId.Stream, streamId, 'onStatus', 0, null, info);
}
