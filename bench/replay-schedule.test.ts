import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkReader } from '../src/ingest/rtmp/chunk-reader.js';
import { decodeAmf0 } from '../src/media/amf0.js';
import type { RtmpMessage } from '../src/ingest/rtmp/rtmp-types.js';
import { FlvTagType, type FlvClip } from './flv-clip.js';
import { buildLoop } from './replay-schedule.js';

const media = (type: FlvTagType, timestamp: number, body: Buffer, keyframe = false) => ({
  type,
  timestamp,
  body,
  config: false,
  keyframe,
});

const clip: FlvClip = {
  tags: [
    {
      ...media(FlvTagType.Script, 0, Buffer.from('02000a6f6e4d65746144617461', 'hex')),
      config: true,
    },
    { ...media(FlvTagType.Video, 0, Buffer.from([0x17, 0, 0, 0, 0])), config: true },
    media(FlvTagType.Video, 0, Buffer.alloc(200_000, 0x17), true),
    media(FlvTagType.Audio, 21, Buffer.from([0xaf, 1, 2])),
    media(FlvTagType.Video, 33, Buffer.from([0x27, 1, 0, 0, 0])),
  ],
  durationMs: 67,
  videoBytes: 200_005,
  audioBytes: 3,
  keyframes: 1,
  videoFrames: 2,
};

test('loop 0 carries metadata and sequence headers; later loops only media, shifted', () => {
  const first = buildLoop(clip, 0, 1, 4096);
  const second = buildLoop(clip, 1, 1, 4096);
  assert.equal(first.length, 5);
  assert.deepEqual(
    second.map((c) => c.dueMs),
    [67, 88, 100],
  );
  assert.deepEqual(
    first.map((c) => c.keyframe),
    [false, false, true, false, false],
  );

  // The server's chunk reader, told our chunk size as after Set Chunk Size, reads them back.
  const messages: RtmpMessage[] = [];
  const reader = new ChunkReader({ maxMessageSize: 1 << 20, onMessage: (m) => messages.push(m) });
  const size = Buffer.from([2, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0x10, 0]);
  reader.push(size);
  reader.push(Buffer.concat(first.map((c) => c.bytes)));
  assert.equal(messages.length, 1 + 5);
  const [, meta, , key] = messages;
  assert.deepEqual(decodeAmf0(meta!.payload), ['@setDataFrame', 'onMetaData']);
  assert.equal(key!.payload.length, 200_000);
  assert.ok(messages.slice(1).every((m) => m.streamId === 1));
  // A later loop is read on its own (fresh headers), with its timestamps.
  reader.push(Buffer.concat(second.map((c) => c.bytes)));
  assert.deepEqual(
    messages.slice(6).map((m) => [m.type, m.timestamp]),
    [
      [9, 67],
      [8, 88],
      [9, 100],
    ],
  );
});
