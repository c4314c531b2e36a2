import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkReader, MessageType, chunkMessage } from './chunk.js';
import { decodeAmf0Values, encodeAmf0Values } from './amf0.js';

test('a message chunked at 128 bytes reassembles', () => {
  const payload = Buffer.alloc(1000, 7);
  const bytes = chunkMessage(6, { typeId: 9, timestamp: 1234, streamId: 1, payload }, 128);
  // 12-byte header + 7 one-byte continuation headers
  assert.equal(bytes.length, 12 + 1000 + 7);
  assert.equal(bytes[0], 6);
  assert.equal(bytes.readUIntBE(1, 3), 1234);
  assert.equal(bytes.readUInt32LE(8), 1);
  const [message] = new ChunkReader().push(bytes);
  assert.equal(message!.timestamp, 1234);
  assert.equal(message!.typeId, 9);
  assert.deepEqual(message!.payload, payload);
});

test('extended timestamps are written and read back', () => {
  const payload = Buffer.alloc(300, 1);
  const bytes = chunkMessage(4, { typeId: 8, timestamp: 0x1000000, streamId: 1, payload }, 128);
  assert.equal(bytes.readUIntBE(1, 3), 0xffffff);
  const reader = new ChunkReader();
  const [message] = reader.push(bytes);
  assert.equal(message!.timestamp, 0x1000000);
  assert.deepEqual(message!.payload, payload);
});

test('the reader follows Set Chunk Size and handles split input', () => {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(4096);
  const a = chunkMessage(
    2,
    { typeId: MessageType.SetChunkSize, timestamp: 0, streamId: 0, payload: size },
    128,
  );
  const body = encodeAmf0Values(['onStatus', 0, null, { code: 'NetStream.Publish.Start' }]);
  const b = chunkMessage(
    5,
    { typeId: 20, timestamp: 0, streamId: 1, payload: Buffer.concat([body, Buffer.alloc(3000)]) },
    4096,
  );
  const all = Buffer.concat([a, b]);
  const reader = new ChunkReader();
  const out = [];
  for (let i = 0; i < all.length; i += 7) out.push(...reader.push(all.subarray(i, i + 7)));
  assert.equal(out.length, 2);
  assert.equal(out[1]!.payload.length, body.length + 3000);
});

test('AMF0 round-trips command values', () => {
  const values = ['connect', 1, { app: 'live', n: 2.5, ok: true, nested: { x: null } }, null];
  assert.deepEqual(decodeAmf0Values(encodeAmf0Values(values)), values);
});
