import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../errors.js';
import { ChunkReader } from './chunk-reader.js';
import { ChunkWriter, type OutgoingMessage } from './chunk-writer.js';
import { ChunkFormat, MessageType, type RtmpMessage } from './rtmp-types.js';

const msg = (over: Partial<OutgoingMessage>): OutgoingMessage => ({
  csid: 6,
  type: MessageType.Video,
  streamId: 1,
  timestamp: 0,
  payload: Buffer.alloc(10, 1),
  ...over,
});

const fmtOf = (chunk: Buffer): ChunkFormat => (chunk[0]! >> 6) as ChunkFormat;

describe('chunk writer', () => {
  it('compresses headers like FFmpeg: type 0, 1, 2, 3', () => {
    const w = new ChunkWriter();
    const formats = [
      w.write(msg({ timestamp: 0 })),
      w.write(msg({ timestamp: 40, payload: Buffer.alloc(20) })), // new length → 1
      w.write(msg({ timestamp: 80, payload: Buffer.alloc(20) })), // same delta → 3
      w.write(msg({ timestamp: 100, payload: Buffer.alloc(20) })), // new delta → 2
      w.write(msg({ timestamp: 50, payload: Buffer.alloc(20) })), // back in time → 0
      w.write(msg({ timestamp: 60, streamId: 2, payload: Buffer.alloc(20) })), // new stream → 0
    ].map(fmtOf);
    assert.deepEqual(formats, [
      ChunkFormat.Full,
      ChunkFormat.SameStream,
      ChunkFormat.Continuation,
      ChunkFormat.TimestampOnly,
      ChunkFormat.Full,
      ChunkFormat.Full,
    ]);
  });

  it('splits at the chunk size and repeats the extended timestamp on every chunk', () => {
    const w = new ChunkWriter();
    const out = w.write(msg({ timestamp: 0x1234567, payload: Buffer.alloc(300, 7) }));
    // 12-byte header + 4 ext + 128, then (1 + 4 + 128), then (1 + 4 + 44)
    assert.equal(out.length, 12 + 4 + 300 + 2 * (1 + 4));
    assert.equal(out.readUIntBE(1, 3), 0xffffff);
    assert.equal(out.readUInt32BE(12), 0x1234567);
    const second = 16 + 128;
    assert.equal(out[second], 0xc6);
    assert.equal(out.readUInt32BE(second + 1), 0x1234567);
  });

  it('encodes 1-, 2- and 3-byte basic headers', () => {
    const w = new ChunkWriter();
    assert.deepEqual([...w.write(msg({ csid: 63 })).subarray(0, 1)], [63]);
    assert.deepEqual([...w.write(msg({ csid: 64 })).subarray(0, 2)], [0, 0]);
    assert.deepEqual([...w.write(msg({ csid: 319 })).subarray(0, 2)], [0, 255]);
    assert.deepEqual([...w.write(msg({ csid: 320 })).subarray(0, 3)], [1, 0, 1]);
    assert.deepEqual([...w.write(msg({ csid: 65599 })).subarray(0, 3)], [1, 255, 255]);
    assert.throws(() => w.write(msg({ csid: 65600 })), ProtocolError);
    assert.throws(() => w.write(msg({ csid: 1 })), ProtocolError);
  });

  it('validates chunk sizes', () => {
    const w = new ChunkWriter();
    assert.throws(() => w.setChunkSize(0), ProtocolError);
    assert.throws(() => w.setChunkSize(2 ** 31), ProtocolError);
    w.setChunkSize(2 ** 31 - 1);
    assert.equal(w.chunkSize, 0xffffff);
  });

  it('round trips through the reader with every format, size and timestamp range', () => {
    const w = new ChunkWriter();
    const out: RtmpMessage[] = [];
    const r = new ChunkReader({ maxMessageSize: 1 << 20, onMessage: (m) => out.push(m) });
    const sent: OutgoingMessage[] = [];
    let seed = 1;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const clocks = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const csid = [3, 4, 6, 63, 64, 300, 320, 65599][rand(8)]!;
      const step = [0, 33, 40, 0xffffff, 0x1000000][rand(5)]!;
      const timestamp = ((clocks.get(csid) ?? rand(2) * 0xfffff000) + step) >>> 0;
      clocks.set(csid, timestamp);
      const m = msg({
        csid,
        timestamp,
        streamId: rand(3),
        type: [8, 9, 18][rand(3)]!,
        payload: Buffer.alloc([0, 1, 127, 128, 129, 4096, 5000][rand(7)]!, rand(256)),
      });
      sent.push(m);
      if (i === 1000) {
        const size = Buffer.alloc(4);
        size.writeUInt32BE(1000);
        r.push(
          w.write({
            csid: 2,
            type: MessageType.SetChunkSize,
            streamId: 0,
            timestamp: 0,
            payload: size,
          }),
        );
        w.setChunkSize(1000);
      }
      r.push(w.write(m));
    }
    const got = out.filter((m) => m.type !== (MessageType.SetChunkSize as number));
    assert.equal(got.length, sent.length);
    got.forEach((m, i) => {
      const s = sent[i]!;
      assert.deepEqual(
        [m.csid, m.type, m.streamId, m.timestamp, m.payload.length],
        [s.csid, s.type, s.streamId, s.timestamp, s.payload.length],
        `message ${i}`,
      );
      assert.ok(m.payload.equals(s.payload), `payload ${i}`);
    });
  });
});
