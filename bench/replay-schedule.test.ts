import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlvTagType, type FlvClip } from './flv-reader.js';
import { buildLoop } from './replay-schedule.js';
import { ChunkReader } from './rtmp/chunk.js';
import { decodeAmf0Values } from './rtmp/amf0.js';

const clip: FlvClip = {
  tags: [
    {
      type: FlvTagType.Script,
      timestamp: 0,
      body: Buffer.from('02000a6f6e4d65746144617461', 'hex'),
      config: true,
      keyframe: false,
    },
    {
      type: FlvTagType.Video,
      timestamp: 0,
      body: Buffer.from([0x17, 0, 0, 0, 0]),
      config: true,
      keyframe: false,
    },
    {
      type: FlvTagType.Video,
      timestamp: 0,
      body: Buffer.alloc(200_000, 0x17),
      config: false,
      keyframe: true,
    },
    {
      type: FlvTagType.Audio,
      timestamp: 21,
      body: Buffer.from([0xaf, 1, 2]),
      config: false,
      keyframe: false,
    },
    {
      type: FlvTagType.Video,
      timestamp: 33,
      body: Buffer.from([0x27, 1, 0, 0, 0]),
      config: false,
      keyframe: false,
    },
  ],
  durationMs: 67,
  videoBytes: 200_005,
  audioBytes: 3,
  keyframes: 1,
  videoFrames: 2,
};

test('loop 0 carries metadata and sequence headers; later loops only media, shifted', () => {
  const first = buildLoop(clip, 0, 1, 65536);
  const second = buildLoop(clip, 1, 1, 65536);
  assert.equal(first.length, 5);
  assert.deepEqual(
    second.map((c) => c.dueMs),
    [67, 88, 100],
  );
  const reader = new ChunkReader();
  const big = Buffer.alloc(4);
  big.writeUInt32BE(65536);
  // The reader must know our chunk size, as the server does after Set Chunk Size.
  reader.push(Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0]), big]));
  const messages = reader.push(Buffer.concat(first.map((c) => c.bytes)));
  assert.equal(messages.length, 5);
  assert.deepEqual(decodeAmf0Values(messages[0]!.payload), ['@setDataFrame', 'onMetaData']);
  assert.equal(messages[2]!.payload.length, 200_000);
  assert.ok(messages.every((m) => m.streamId === 1));
  const [shifted] = reader.push(second[0]!.bytes);
  assert.equal(shifted!.timestamp, 67);
});
