import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlvTagType, readFlv } from './flv-reader.js';

function flv(tags: { type: number; ts: number; body: number[] }[]): Buffer {
  const parts = [Buffer.from('464c5601050000000900000000', 'hex')];
  for (const t of tags) {
    const head = Buffer.alloc(11);
    head[0] = t.type;
    head.writeUIntBE(t.body.length, 1, 3);
    head.writeUIntBE(t.ts & 0xffffff, 4, 3);
    head[7] = t.ts >>> 24;
    const prev = Buffer.alloc(4);
    prev.writeUInt32BE(11 + t.body.length);
    parts.push(head, Buffer.from(t.body), prev);
  }
  return Buffer.concat(parts);
}

test('classifies config, media and end-of-sequence tags', () => {
  const clip = readFlv(
    flv([
      { type: FlvTagType.Script, ts: 0, body: [2, 0, 1, 0x41] },
      { type: FlvTagType.Video, ts: 0, body: [0x17, 0, 0, 0, 0] }, // AVC sequence header
      { type: FlvTagType.Audio, ts: 0, body: [0xaf, 0, 0x11, 0x90] }, // AAC sequence header
      { type: FlvTagType.Video, ts: 0, body: [0x17, 1, 0, 0, 0, 9] }, // keyframe
      { type: FlvTagType.Audio, ts: 21, body: [0xaf, 1, 5] },
      { type: FlvTagType.Video, ts: 33, body: [0x27, 1, 0, 0, 0, 9] },
      { type: FlvTagType.Video, ts: 67, body: [0x27, 1, 0, 0, 0, 9] },
      { type: FlvTagType.Video, ts: 67, body: [0x17, 2, 0, 0, 0] }, // end of sequence
    ]),
  );
  assert.deepEqual(
    clip.tags.map((t) => [t.type, t.config, t.keyframe]),
    [
      [18, true, false],
      [9, true, false],
      [8, true, false],
      [9, false, true],
      [8, false, false],
      [9, false, false],
      [9, false, false],
    ],
  );
  assert.equal(clip.videoFrames, 3);
  assert.equal(clip.keyframes, 1);
  assert.equal(clip.durationMs, 101); // 67 ms span × 3 / 2
});

test('Enhanced RTMP: sequence start and metadata are config, coded frames are media', () => {
  const hvc1 = [0x68, 0x76, 0x63, 0x31];
  const clip = readFlv(
    flv([
      { type: FlvTagType.Video, ts: 0, body: [0x90, ...hvc1, 1] }, // key, SequenceStart
      { type: FlvTagType.Video, ts: 0, body: [0xd4, ...hvc1, 2] }, // info frame, Metadata
      { type: FlvTagType.Video, ts: 0, body: [0x93, ...hvc1, 3] }, // key, CodedFramesX
      { type: FlvTagType.Video, ts: 33, body: [0xa1, ...hvc1, 0, 0, 0, 4] }, // inter, CodedFrames
      { type: FlvTagType.Video, ts: 33, body: [0x92, ...hvc1] }, // SequenceEnd
    ]),
  );
  assert.deepEqual(
    clip.tags.map((t) => [t.config, t.keyframe]),
    [
      [true, false],
      [true, false],
      [false, true],
      [false, false],
    ],
  );
});
