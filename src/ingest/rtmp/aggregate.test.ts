import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../errors.js';
import { splitAggregate } from './aggregate.js';
import { MessageType } from './rtmp-types.js';

function tag(type: number, ts: number, body: Buffer): Buffer {
  const h = Buffer.alloc(11);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  h.writeUIntBE(ts & 0xffffff, 4, 3);
  h[7] = ts >>> 24;
  const back = Buffer.alloc(4);
  back.writeUInt32BE(11 + body.length);
  return Buffer.concat([h, body, back]);
}

describe('aggregate messages', () => {
  it('split into FLV tags with timestamps relative to the message', () => {
    const payload = Buffer.concat([
      tag(9, 0x01000000, Buffer.from('a')),
      tag(8, 0x01000010, Buffer.from('bb')),
      tag(9, 0x01000028, Buffer.from('ccc')),
    ]);
    const parts = splitAggregate({
      type: MessageType.Aggregate,
      streamId: 1,
      timestamp: 500,
      csid: 6,
      payload,
    });
    assert.deepEqual(
      parts.map((p) => [p.type, p.timestamp, p.body.toString()]),
      [
        [9, 500, 'a'],
        [8, 516, 'bb'],
        [9, 540, 'ccc'],
      ],
    );
  });

  it('truncated tags are protocol errors', () => {
    const whole = tag(9, 0, Buffer.from('abc'));
    for (const cut of [5, 12]) {
      const m = {
        type: MessageType.Aggregate,
        streamId: 1,
        timestamp: 0,
        csid: 6,
        payload: whole.subarray(0, cut),
      };
      assert.throws(() => splitAggregate(m), ProtocolError);
    }
  });
});
