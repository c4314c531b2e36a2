import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFlv } from '../src/media/flv-file.js';
import { FlvTagType, readClip } from './flv-clip.js';

const tag = (type: FlvTagType, timestamp: number, body: number[]) => ({
  type,
  timestamp,
  body: Buffer.from(body),
});

test('classifies config, media and end-of-sequence tags; loop length from the frame rate', () => {
  const clip = readClip(
    writeFlv([
      tag(FlvTagType.Script, 0, [2, 0, 1, 0x41]),
      tag(FlvTagType.Video, 0, [0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f]), // AVC sequence header
      tag(FlvTagType.Audio, 0, [0xaf, 0, 0x11, 0x90]), // AAC sequence header
      tag(FlvTagType.Video, 0, [0x17, 1, 0, 0, 0, 9]), // keyframe
      tag(FlvTagType.Audio, 21, [0xaf, 1, 5]),
      tag(FlvTagType.Video, 33, [0x27, 1, 0, 0, 0, 9]),
      tag(FlvTagType.Video, 67, [0x27, 1, 0, 0, 0, 9]),
      tag(FlvTagType.Video, 67, [0x17, 2, 0, 0, 0]), // end of sequence
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

test('Enhanced RTMP: sequence start is config, coded frames are media; audio past the loop is trimmed', () => {
  const hvc1 = [0x68, 0x76, 0x63, 0x31];
  const clip = readClip(
    writeFlv([
      tag(FlvTagType.Video, 0, [0x90, ...hvc1, 1]), // key, SequenceStart
      tag(FlvTagType.Video, 0, [0x93, ...hvc1, 0, 0, 0, 1, 3]), // key, CodedFramesX
      tag(FlvTagType.Audio, 10, [0xaf, 1, 5]),
      tag(FlvTagType.Video, 33, [0xa1, ...hvc1, 0, 0, 0, 0, 0, 0, 1, 4]), // inter, CodedFrames
      tag(FlvTagType.Audio, 75, [0xaf, 1, 6]), // within one loop (66 ms) of the first audio
      tag(FlvTagType.Audio, 80, [0xaf, 1, 7]), // 10 + 66 = 76: trimmed
      tag(FlvTagType.Video, 33, [0x92, ...hvc1]), // SequenceEnd
    ]),
  );
  assert.equal(clip.durationMs, 66);
  assert.deepEqual(
    clip.tags.map((t) => [t.type, t.timestamp, t.config, t.keyframe]),
    [
      [9, 0, true, false],
      [9, 0, false, true],
      [8, 10, false, false],
      [9, 33, false, false],
      [8, 75, false, false],
    ],
  );
});
