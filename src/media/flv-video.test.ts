import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaFormatError } from '../errors.js';
import type { VideoTag } from './flv-types.js';
import { parseVideoTag } from './flv-video.js';
import { forDuration, mulberry32, mutate } from '../../test/support/fuzz.js';

/** Build a tag body from hex strings and `'fourcc'`-quoted FourCCs. */
function tag(...parts: string[]): Buffer {
  return Buffer.concat(
    parts.map((p) => (p.startsWith("'") ? Buffer.from(p.slice(1, -1), 'latin1') : hexBuf(p))),
  );
}

function hexBuf(hex: string): Buffer {
  return Buffer.from(hex.replace(/\s/g, ''), 'hex');
}

const RECORD = '0164001effe1';
const NALUS = '0000000265b8';

/** Asserts the result and that its buffer is a view into the body (no copy, in bounds). */
function parse(body: Buffer, expected: Record<string, unknown>): VideoTag {
  const result = parseVideoTag(body);
  const shown = { ...result } as Record<string, unknown>;
  for (const key of ['record', 'data'] as const) {
    const view = shown[key];
    if (view instanceof Buffer) {
      assert.equal(view.buffer, body.buffer, `${key} is a view`);
      assert.ok(view.byteOffset >= body.byteOffset, `${key} starts inside`);
      assert.ok(
        view.byteOffset + view.length <= body.byteOffset + body.length,
        `${key} ends inside`,
      );
      shown[key] = view.toString('hex');
    }
  }
  assert.deepEqual(shown, expected);
  return result;
}

describe('parseVideoTag: legacy FLV', () => {
  it('parses an AVC sequence header', () => {
    parse(tag('17 00 000000', RECORD), { kind: 'config', codec: 'h264', record: RECORD });
  });

  it('parses AVC NALU packets with signed composition times', () => {
    const key = { kind: 'frame', codec: 'h264', keyframe: true, data: NALUS };
    parse(tag('17 01 000050', NALUS), { ...key, compositionTime: 80 });
    parse(tag('27 01 ffffd8', NALUS), { ...key, keyframe: false, compositionTime: -40 });
    parse(tag('37 01 800000', NALUS), { ...key, keyframe: false, compositionTime: -8388608 });
    parse(tag('47 01 7fffff', NALUS), { ...key, keyframe: false, compositionTime: 8388607 });
  });

  it('parses end of sequence, with or without the composition time', () => {
    parse(tag('17 02 000000'), { kind: 'end-of-sequence', codec: 'h264' });
    parse(tag('17 02'), { kind: 'end-of-sequence', codec: 'h264' });
  });

  it('parses legacy HEVC (codec id 12)', () => {
    parse(tag('1c 00 000000', RECORD), { kind: 'config', codec: 'hevc', record: RECORD });
    parse(tag('2c 01 000028', NALUS), {
      kind: 'frame',
      codec: 'hevc',
      keyframe: false,
      compositionTime: 40,
      data: NALUS,
    });
  });

  it('ignores other codecs, command frames and empty frames', () => {
    for (const first of ['12', '22', '13', '14', '15', '16', '1a', '1d', '1f']) {
      const result = parseVideoTag(tag(first, '00112233'));
      assert.equal(result.kind, 'ignored', first);
    }
    assert.equal(parseVideoTag(tag('57 00')).kind, 'ignored'); // video info/command frame
    assert.equal(parseVideoTag(tag('52 01')).kind, 'ignored');
    assert.deepEqual(parseVideoTag(tag('27 01 000000')), {
      kind: 'ignored',
      reason: 'empty h264 frame',
    });
  });

  it('rejects malformed and truncated tags', () => {
    const bad: [string, RegExp][] = [
      ['', /empty body/],
      ['17', /truncated/],
      ['17 01', /truncated/],
      ['17 01 0000', /truncated/],
      ['17 00 000000', /empty h264 sequence header/],
      ['17 05 000000 00', /unknown AVCPacketType 5/],
      ['07 01 000000 00', /reserved frame type 0/],
      ['67 01 000000 00', /reserved frame type 6/],
    ];
    for (const [hex, message] of bad) {
      assert.throws(() => parseVideoTag(hexBuf(hex)), MediaFormatError, hex);
      assert.throws(() => parseVideoTag(hexBuf(hex)), message, hex);
    }
  });
});

describe('parseVideoTag: Enhanced RTMP', () => {
  it('parses SequenceStart for hvc1, avc1 and av01', () => {
    parse(tag('90', "'hvc1'", RECORD), { kind: 'config', codec: 'hevc', record: RECORD });
    parse(tag('90', "'avc1'", RECORD), { kind: 'config', codec: 'h264', record: RECORD });
    parse(tag('90', "'av01'", '81010c00'), { kind: 'config', codec: 'av1', record: '81010c00' });
  });

  it('parses CodedFrames (with SI24 for avc1/hvc1, none for av01) and CodedFramesX', () => {
    const frame = { kind: 'frame', keyframe: true, data: NALUS };
    parse(tag('91', "'hvc1'", 'fffff6', NALUS), { ...frame, codec: 'hevc', compositionTime: -10 });
    parse(tag('91', "'avc1'", '000014', NALUS), { ...frame, codec: 'h264', compositionTime: 20 });
    parse(tag('91', "'av01'", '12000a0b'), {
      ...frame,
      codec: 'av1',
      compositionTime: 0,
      data: '12000a0b',
    });
    parse(tag('a3', "'hvc1'", NALUS), {
      ...frame,
      codec: 'hevc',
      keyframe: false,
      compositionTime: 0,
    });
  });

  it('parses SequenceEnd', () => {
    parse(tag('92', "'hvc1'"), { kind: 'end-of-sequence', codec: 'hevc' });
    parse(tag('92', "'av01'"), { kind: 'end-of-sequence', codec: 'av1' });
  });

  it('ignores metadata, command frames, MPEG-2 TS sequence start, other codecs and types', () => {
    const cases: [Buffer, RegExp][] = [
      [tag('94', "'hvc1'", '0200'), /metadata/],
      [tag('d4', "'hvc1'", '0200'), /metadata/], // command frame type carrying metadata
      [tag('d1', '00'), /command/],
      [tag('95', "'av01'", '80'), /MPEG-2 TS/],
      [tag('90', "'vp09'", '0100'), /'vp09'/],
      [tag('91', "'vp08'", '00'), /'vp08'/],
      [tag('90', '00000001', '00'), /0x00000001/],
      [tag('98', "'hvc1'", '00'), /packet type 8/],
      [tag('91', "'hvc1'", '000000'), /empty hevc frame/],
    ];
    for (const [body, reason] of cases) {
      const result = parseVideoTag(body);
      assert.equal(result.kind, 'ignored', body.toString('hex'));
      assert.match((result as { reason: string }).reason, reason);
    }
  });

  it('skips ModEx blocks (short and UI16 sizes, chained) before the real packet type', () => {
    const frame = { kind: 'frame', codec: 'hevc', keyframe: true, data: NALUS };
    // TimestampOffsetNano (type 0) with 3 bytes, then CodedFrames.
    parse(tag('97', '02 0f4240', '01', "'hvc1'", '000028', NALUS), {
      ...frame,
      compositionTime: 40,
    });
    // 300 bytes of an unknown ModEx type (escape: UI8 255, then UI16 size-1), then CodedFramesX.
    const big = Buffer.alloc(300, 0xee).toString('hex');
    parse(tag('97', 'ff 012b', big, '13', "'hvc1'", NALUS), { ...frame, compositionTime: 0 });
    // Two ModEx blocks in a row, then SequenceStart.
    parse(tag('97', '00 aa', '07', '01 bbcc', '00', "'avc1'", RECORD), {
      kind: 'config',
      codec: 'h264',
      record: RECORD,
    });
  });

  it('takes track 0 of multitrack messages', () => {
    const frame = { kind: 'frame', codec: 'hevc', keyframe: true, compositionTime: 16 };
    // OneTrack (type 0), CodedFrames, track 0.
    parse(tag('96', '01', "'hvc1'", '00', '000010', NALUS), { ...frame, data: NALUS });
    // ManyTracks (type 1): track 2 first, then track 0; each with a UI24 size.
    parse(tag('96', '11', "'hvc1'", '02 000005 000010ffff', '00 000009 000010', NALUS), {
      ...frame,
      data: NALUS,
    });
    // ManyTracksManyCodecs (type 2): vp09 on track 1, then hvc1 on track 0.
    parse(
      tag('96', '21', "'vp09'", '01 000002 abcd', "'hvc1'", '00 000007', '000010', 'aabbccdd'),
      { ...frame, data: 'aabbccdd' },
    );
    // A ManyTracks SequenceStart for track 0.
    parse(tag('96', '10', "'avc1'", '00 000006', RECORD), {
      kind: 'config',
      codec: 'h264',
      record: RECORD,
    });
  });

  it('ignores multitrack messages without track 0', () => {
    assert.match(reasonOf(tag('96', '01', "'hvc1'", '01', '000010', NALUS)), /track 1/);
    assert.match(reasonOf(tag('96', '11', "'hvc1'", '03 000002 abcd')), /without video track 0/);
    assert.match(reasonOf(tag('96', '04', "'hvc1'", '00', '00')), /metadata/);
  });

  it('rejects malformed and truncated enhanced tags', () => {
    const bad: [Buffer, RegExp][] = [
      [tag('90'), /truncated/],
      [tag('90', '6876'), /truncated/],
      [tag('90', "'hvc1'"), /empty hevc sequence header/],
      [tag('91', "'hvc1'", '0000'), /truncated/],
      [tag('97'), /truncated/],
      [tag('97', '05 0102'), /truncated/],
      [tag('97', 'ff 01'), /truncated/],
      [tag('97', '00 aa'), /truncated/],
      [tag('96'), /truncated/],
      [tag('96', '31', "'hvc1'", '00'), /multitrack type 3/],
      [tag('96', '06', "'hvc1'", '00'), /packet type 6 inside multitrack/],
      [tag('96', '07', "'hvc1'", '00'), /packet type 7 inside multitrack/],
      [tag('96', '11', "'hvc1'", '00 000009 0000'), /truncated/],
      [tag('96', '11', "'hvc1'", '00'), /truncated/],
      [tag('81', "'hvc1'", '00'), /reserved frame type 0/],
      [tag('e1', "'hvc1'", '00'), /reserved frame type 6/],
    ];
    for (const [body, message] of bad) {
      assert.throws(() => parseVideoTag(body), MediaFormatError, body.toString('hex'));
      assert.throws(() => parseVideoTag(body), message, body.toString('hex'));
    }
  });
});

describe('fuzz: parseVideoTag', () => {
  const seeds = [
    tag('17 00 000000', RECORD),
    tag('27 01 ffffd8', NALUS),
    tag('1c 01 000010', NALUS),
    tag('90', "'hvc1'", RECORD),
    tag('91', "'hvc1'", 'fffff6', NALUS),
    tag('97', '02 0f4240', '01', "'hvc1'", '000028', NALUS),
    tag('96', '21', "'vp09'", '01 000002 abcd', "'hvc1'", '00 000007', '000010', 'aabbccdd'),
    tag('96', '11', "'hvc1'", '02 000005 000010ffff', '00 000009 000010', NALUS),
  ];

  it('returns a tag with in-bounds views or throws MediaFormatError, nothing else', () => {
    const rand = mulberry32(0xf1f0);
    const runs = forDuration(1500, () => {
      for (const seed of seeds) {
        const body = mutate(seed, rand);
        let result: VideoTag;
        try {
          result = parseVideoTag(body);
        } catch (err) {
          if (err instanceof MediaFormatError) continue;
          assert.fail(`${body.toString('hex')}: ${String(err)}`);
        }
        const view =
          result.kind === 'config' ? result.record : result.kind === 'frame' ? result.data : null;
        if (view) {
          assert.ok(view.length > 0);
          assert.ok(view.byteOffset >= body.byteOffset);
          assert.ok(view.byteOffset + view.length <= body.byteOffset + body.length);
        }
      }
    });
    assert.ok(runs > 100, `only ${runs} runs`);
  });
});

function reasonOf(body: Buffer): string {
  const result = parseVideoTag(body);
  assert.equal(result.kind, 'ignored');
  return (result as { reason: string }).reason;
}
