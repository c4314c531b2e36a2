import { ProtocolError } from '../../errors.js';
import type { RtmpMessage } from './rtmp-types.js';

/**
 * Aggregate messages (type 22) carry a run of FLV tags: 11-byte tag header, body, 4-byte
 * back pointer. Each part's timestamp is the message timestamp plus its offset from the
 * first tag's timestamp.
 */
export interface AggregatePart {
  readonly type: number;
  readonly timestamp: number;
  readonly body: Buffer;
}

const TAG_HEADER_SIZE = 11;
const BACK_POINTER_SIZE = 4;

export function splitAggregate(message: RtmpMessage): AggregatePart[] {
  const p = message.payload;
  const parts: AggregatePart[] = [];
  let pos = 0;
  let first: number | undefined;
  while (pos < p.length) {
    if (p.length - pos < TAG_HEADER_SIZE) throw new ProtocolError('truncated aggregate tag header');
    const type = p[pos]! & 0x1f;
    const size = p.readUIntBE(pos + 1, 3);
    const ts = (p.readUIntBE(pos + 4, 3) | (p[pos + 7]! << 24)) >>> 0;
    const start = pos + TAG_HEADER_SIZE;
    if (p.length - start < size) throw new ProtocolError('truncated aggregate tag body');
    first ??= ts;
    parts.push({
      type,
      timestamp: (message.timestamp + ts - first) >>> 0,
      body: p.subarray(start, start + size),
    });
    pos = Math.min(p.length, start + size + BACK_POINTER_SIZE);
  }
  return parts;
}
