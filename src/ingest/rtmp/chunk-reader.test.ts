import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../errors.js';
import { ChunkReader, deferredPayload } from './chunk-reader.js';
import { ChunkWriter } from './chunk-writer.js';
import { MessageType, type RtmpMessage } from './rtmp-types.js';

function collect(maxMessageSize = 1 << 20): { reader: ChunkReader; out: RtmpMessage[] } {
  const out: RtmpMessage[] = [];
  const reader = new ChunkReader({ maxMessageSize, onMessage: (m) => out.push(m) });
  return { reader, out };
}

const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [
  (n >>> 24) & 0xff,
  (n >> 16) & 0xff,
  (n >> 8) & 0xff,
  n & 0xff,
];
const le32 = (n: number): number[] => [
  n & 0xff,
  (n >> 8) & 0xff,
  (n >> 16) & 0xff,
  (n >>> 24) & 0xff,
];

/** What a message looks like once read, without the chunk stream id. */
const shape = (m: RtmpMessage): [number, number, number, string] => [
  m.type,
  m.streamId,
  m.timestamp,
  m.payload.toString('hex'),
];

describe('chunk reader: header formats', () => {
  it('types 0, 1, 2 and 3 with accumulated deltas (RTMP spec example 1 and 2)', () => {
    const { reader, out } = collect();
    const bytes = Buffer.from([
      // fmt 0, csid 3: ts 1000, len 2, type 8, stream 1
      0x03,
      ...u24(1000),
      ...u24(2),
      8,
      ...le32(1),
      0xaa,
      0xbb,
      // fmt 2: delta 33
      0x83,
      ...u24(33),
      0xcc,
      0xdd,
      // fmt 3: same delta again
      0xc3,
      0xee,
      0xff,
      // fmt 1: delta 20, len 3, type 9
      0x43,
      ...u24(20),
      ...u24(3),
      9,
      1,
      2,
      3,
      // fmt 3: another message, delta 20 again
      0xc3,
      4,
      5,
      6,
    ]);
    reader.push(bytes);
    assert.deepEqual(out.map(shape), [
      [8, 1, 1000, 'aabb'],
      [8, 1, 1033, 'ccdd'],
      [8, 1, 1066, 'eeff'],
      [9, 1, 1086, '010203'],
      [9, 1, 1106, '040506'],
    ]);
    assert.deepEqual(
      out.map((m) => m.csid),
      [3, 3, 3, 3, 3],
    );
  });

  it('a type 3 after a type 0 uses the type 0 timestamp as its delta', () => {
    const { reader, out } = collect();
    reader.push(Buffer.from([0x04, ...u24(40), ...u24(1), 9, ...le32(1), 1, 0xc4, 2]));
    assert.deepEqual(
      out.map((m) => m.timestamp),
      [40, 80],
    );
  });

  it('message split over chunks of the default size 128, continuation with type 3', () => {
    const { reader, out } = collect();
    const payload = Buffer.alloc(300, 0x5a);
    reader.push(
      Buffer.concat([
        Buffer.from([0x06, ...u24(0), ...u24(300), 9, ...le32(1)]),
        payload.subarray(0, 128),
        Buffer.of(0xc6),
        payload.subarray(128, 256),
        Buffer.of(0xc6),
        payload.subarray(256),
      ]),
    );
    assert.equal(out.length, 1);
    assert.deepEqual(out[0]!.payload, payload);
  });

  it('2- and 3-byte basic headers: csid 64, 319, 320 and 65599', () => {
    const { reader, out } = collect();
    const msg = (basic: number[]): number[] => [...basic, ...u24(0), ...u24(1), 9, ...le32(1), 7];
    reader.push(
      Buffer.from([
        ...msg([0x00, 0]),
        ...msg([0x00, 255]),
        ...msg([0x01, 0, 1]),
        ...msg([0x01, 0xff, 0xff]),
      ]),
    );
    assert.deepEqual(
      out.map((m) => m.csid),
      [64, 319, 320, 65599],
    );
  });

  it('extended timestamps, repeated on type-3 continuation chunks (FFmpeg, OBS)', () => {
    const { reader, out } = collect();
    const ts = 0x01234567;
    const payload = Buffer.alloc(200, 1);
    reader.push(
      Buffer.concat([
        Buffer.from([0x06, ...u24(0xffffff), ...u24(200), 9, ...le32(1), ...u32(ts)]),
        payload.subarray(0, 128),
        Buffer.from([0xc6, ...u32(ts)]),
        payload.subarray(128),
        // next message: fmt 3 with the delta (= the type 0 timestamp) in its extended field
        Buffer.from([0xc6, ...u32(ts)]),
        payload.subarray(0, 128),
        Buffer.from([0xc6, ...u32(ts)]),
        payload.subarray(128),
      ]),
    );
    assert.deepEqual(
      out.map((m) => m.timestamp),
      [ts, (2 * ts) >>> 0],
    );
    assert.deepEqual(out[0]!.payload, payload);
    assert.deepEqual(out[1]!.payload, payload);
  });

  it('extended timestamps omitted on continuation chunks are tolerated', () => {
    const { reader, out } = collect();
    const payload = Buffer.alloc(200, 2);
    reader.push(
      Buffer.concat([
        Buffer.from([0x06, ...u24(0xffffff), ...u24(200), 9, ...le32(1), ...u32(0x1000000)]),
        payload.subarray(0, 128),
        Buffer.of(0xc6),
        payload.subarray(128),
      ]),
    );
    assert.equal(out.length, 1);
    assert.equal(out[0]!.timestamp, 0x1000000);
    assert.deepEqual(out[0]!.payload, payload);
  });

  it('32-bit timestamps wrap in the chunk layer', () => {
    const { reader, out } = collect();
    reader.push(
      Buffer.from([
        0x04,
        ...u24(0xffffff),
        ...u24(1),
        9,
        ...le32(1),
        ...u32(0xfffffff0),
        1,
        0x84,
        ...u24(0x20),
        2,
      ]),
    );
    assert.deepEqual(
      out.map((m) => m.timestamp),
      [0xfffffff0, 0x10],
    );
  });

  it('zero-length messages', () => {
    const { reader, out } = collect();
    reader.push(Buffer.from([0x03, ...u24(0), ...u24(0), 20, ...le32(0), 0xc3]));
    assert.equal(out.length, 2);
    assert.equal(out[0]!.payload.length, 0);
  });
});

describe('chunk reader: control and limits', () => {
  it('Set Chunk Size applies to the chunks that follow', () => {
    const { reader, out } = collect();
    const w = new ChunkWriter();
    const big = Buffer.alloc(5000, 3);
    const setSize = w.write({
      csid: 2,
      type: MessageType.SetChunkSize,
      streamId: 0,
      timestamp: 0,
      payload: Buffer.from(u32(4096)),
    });
    w.setChunkSize(4096);
    const video = w.write({
      csid: 6,
      type: MessageType.Video,
      streamId: 1,
      timestamp: 0,
      payload: big,
    });
    reader.push(Buffer.concat([setSize, video]));
    assert.equal(reader.chunkSize, 4096);
    assert.deepEqual(out[1]!.payload, big);
  });

  it('chunk sizes beyond the largest message are clamped; invalid ones are errors', () => {
    const { reader } = collect();
    const setSize = (n: number): Buffer =>
      Buffer.from([0x02, ...u24(0), ...u24(4), 1, ...le32(0), ...u32(n)]);
    reader.push(setSize(0x7fffffff));
    assert.equal(reader.chunkSize, 0xffffff);
    assert.throws(() => collect().reader.push(setSize(0)), ProtocolError);
    assert.throws(() => collect().reader.push(setSize(0x80000000)), ProtocolError);
  });

  it('Abort drops the partial message of its chunk stream', () => {
    const { reader, out } = collect();
    reader.push(
      Buffer.concat([
        Buffer.from([0x06, ...u24(0), ...u24(200), 9, ...le32(1)]),
        Buffer.alloc(128, 9),
        Buffer.from([0x02, ...u24(0), ...u24(4), MessageType.Abort, ...le32(0), ...u32(6)]),
        Buffer.from([0x06, ...u24(5), ...u24(2), 9, ...le32(1), 1, 2]),
      ]),
    );
    assert.deepEqual(
      out.map((m) => m.type),
      [MessageType.Abort, 9],
    );
    assert.deepEqual(out[1]!.payload, Buffer.of(1, 2));
    assert.equal(reader.discarded, 1);
  });

  it('interleaved chunk streams', () => {
    const { reader, out } = collect();
    const a = Buffer.alloc(256, 0xa);
    const b = Buffer.alloc(200, 0xb);
    reader.push(
      Buffer.concat([
        Buffer.from([0x04, ...u24(0), ...u24(256), 8, ...le32(1)]),
        a.subarray(0, 128),
        Buffer.from([0x06, ...u24(0), ...u24(200), 9, ...le32(1)]),
        b.subarray(0, 128),
        Buffer.of(0xc4),
        a.subarray(128),
        Buffer.of(0xc6),
        b.subarray(128),
      ]),
    );
    assert.deepEqual(
      out.map((m) => [m.csid, m.payload.length]),
      [
        [4, 256],
        [6, 200],
      ],
    );
    assert.deepEqual(out[0]!.payload, a);
    assert.deepEqual(out[1]!.payload, b);
  });

  it('a message longer than maxMessageSize is an error before it is buffered', () => {
    const { reader } = collect(1000);
    assert.throws(
      () => reader.push(Buffer.from([0x06, ...u24(0), ...u24(1001), 9, ...le32(1)])),
      /exceeds the limit/,
    );
  });

  it('a chunk stream may not start with type 2 or 3', () => {
    assert.throws(() => collect().reader.push(Buffer.of(0xc5, 1, 2, 3)), ProtocolError);
    assert.throws(() => collect().reader.push(Buffer.of(0x85, 0, 0, 1)), ProtocolError);
  });

  it('the number of chunk streams is bounded', () => {
    const { reader } = collect();
    const parts: Buffer[] = [];
    for (let csid = 3; csid < 63; csid++) {
      parts.push(Buffer.from([csid, ...u24(0), ...u24(1), 9, ...le32(1), 1]));
    }
    for (let i = 0; i < 10; i++)
      parts.push(Buffer.from([0x00, i, ...u24(0), ...u24(1), 9, ...le32(1), 1]));
    assert.throws(() => reader.push(Buffer.concat(parts)), /chunk streams/);
  });

  it('partial messages held across chunk streams are bounded', () => {
    const { reader } = collect(100_000);
    const parts: Buffer[] = [];
    for (let csid = 3; csid < 6; csid++) {
      parts.push(Buffer.from([csid, ...u24(0), ...u24(100_000), 9, ...le32(1)]), Buffer.alloc(128));
    }
    assert.throws(() => reader.push(Buffer.concat(parts)), /partial messages/);
  });
});

describe('chunk reader: fragmentation', () => {
  const w = new ChunkWriter();
  const parts: Buffer[] = [];
  const messages = [
    { csid: 3, type: 20, streamId: 0, timestamp: 0, payload: Buffer.alloc(300, 1) },
    { csid: 6, type: 9, streamId: 1, timestamp: 0x1000000, payload: Buffer.alloc(10, 2) },
    { csid: 6, type: 9, streamId: 1, timestamp: 0x2000000, payload: Buffer.alloc(10, 3) },
    { csid: 6, type: 9, streamId: 1, timestamp: 0x3000000, payload: Buffer.alloc(10, 4) },
    { csid: 4, type: 8, streamId: 1, timestamp: 40, payload: Buffer.alloc(130, 5) },
    { csid: 400, type: 9, streamId: 1, timestamp: 41, payload: Buffer.alloc(1, 6) },
  ];
  for (const m of messages) parts.push(w.write(m));
  const bytes = Buffer.concat(parts);
  const expected = messages.map((m) => [
    m.type,
    m.streamId,
    m.timestamp,
    m.payload.toString('hex'),
  ]);

  it('split in two at every byte boundary', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { reader, out } = collect();
      reader.push(bytes.subarray(0, cut));
      reader.push(bytes.subarray(cut));
      assert.deepEqual(out.map(shape), expected, `cut at ${cut}`);
    }
  });

  it('one byte at a time', () => {
    const { reader, out } = collect();
    for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1));
    assert.deepEqual(out.map(shape), expected);
  });

  it('payloads are copies, not views of the pushed buffers', () => {
    const { reader, out } = collect();
    const copy = Buffer.from(bytes);
    reader.push(copy);
    copy.fill(0);
    assert.deepEqual(out.map(shape), expected);
  });

  it('viewPayloads: a message whole in one chunk is a view; others are assembled when read', () => {
    const out: RtmpMessage[] = [];
    const reader = new ChunkReader({
      maxMessageSize: 1 << 20,
      viewPayloads: true,
      onMessage: (m) => out.push(m),
    });
    const pushed = Buffer.from(bytes);
    reader.push(pushed);
    // The 10-byte ones are views of `pushed`; 300 bytes span three 128-byte chunks: assembled
    // (into a buffer of their own) when the payload is first read.
    assert.ok(out.slice(1, 4).every((m) => m.payload.buffer === pushed.buffer));
    assert.equal(deferredPayload(out[1]!), undefined);
    const chunked = deferredPayload(out[0]!);
    assert.ok(chunked);
    assert.equal(chunked.length, 300);
    assert.equal(chunked.head.length, 128);
    assert.equal(chunked.head.buffer, pushed.buffer);
    assert.notEqual(out[0]!.payload.buffer, pushed.buffer);
    assert.equal(chunked.full(), out[0]!.payload);
    assert.deepEqual(out.map(shape), expected);
  });

  it('viewPayloads: split at every byte boundary reads the same', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const out: RtmpMessage[] = [];
      const reader = new ChunkReader({
        maxMessageSize: 1 << 20,
        viewPayloads: true,
        onMessage: (m) => out.push(m),
      });
      reader.push(Buffer.from(bytes.subarray(0, cut)));
      reader.push(Buffer.from(bytes.subarray(cut)));
      assert.deepEqual(out.map(shape), expected, `cut at ${cut}`);
    }
  });
});
