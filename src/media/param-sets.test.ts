import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaFormatError } from '../errors.js';
import type { VideoCodec } from '../stream/stream-types.js';
import { parseCodecRecord, containsIrap } from './param-sets.js';
import { unescapeRbsp } from './nal.js';
import { forDuration, mulberry32, mutate } from '../../test/support/fuzz.js';

/**
 * Records taken from FLV sequence headers written by FFmpeg 8 (node-av) from libx264,
 * libx265 and libsvtav1 encodes of test/support/media.ts clips (x265's info SEI removed).
 */
const FIXTURES: {
  name: string;
  codec: VideoCodec;
  hex: string;
  expect: [number, number, string];
}[] = [
  {
    name: 'x264 320x240 High',
    codec: 'h264',
    hex: '0164000dffe100176764000dacb40a0fd808800000030080000019078a155001000468ef0fcbfdf8f800',
    expect: [320, 240, 'High'],
  },
  {
    name: 'x264 1920x1080 High (bottom crop 8)',
    codec: 'h264',
    hex: '01640028ffe1001967640028acb403c0113f2e0220000003002000000641e3065401000468ef0fcbfdf8f800',
    expect: [1920, 1080, 'High'],
  },
  {
    name: 'x264 642x362 High (right and bottom crop)',
    codec: 'h264',
    hex: '0164001effe100196764001eacb405217f11260220000003002000000641e2c5d401000468ef0fcbfdf8f800',
    expect: [642, 362, 'High'],
  },
  {
    name: 'x264 176x144 Constrained Baseline',
    codec: 'h264',
    hex: '0142c00bffe100176742c00bda0b13b011000003000100000300320f142aa001000468ce0fc8',
    expect: [176, 144, 'Constrained Baseline'],
  },
  {
    name: 'x264 720x576 interlaced (frame_mbs_only_flag = 0)',
    codec: 'h264',
    hex: '0164001effe100186764001eace80b424d808800000300080000030190f8a15501000468fe0fcbfdf8f800',
    expect: [720, 576, 'High'],
  },
  {
    name: 'x264 640x360 4:4:4 with JVT scaling matrices',
    codec: 'h264',
    hex: '01f4001effe1001967f4001e919680a02ff89c0440000003004000000c83c58ba801000768ef0f19300019fff8f800',
    expect: [640, 360, 'High 4:4:4 Predictive'],
  },
  {
    name: 'x264 642x362 High 10',
    codec: 'h264',
    hex: '016e001effe1001b676e001ea6cb405217f1126022000003000200000300641e2c5d4001000468ef0fcbfdfafa00',
    expect: [642, 362, 'High 10'],
  },
  {
    name: 'x265 1920x1080 Main (conformance window)',
    codec: 'hevc',
    hex:
      '01016000000090000000000078f000fcfdf8f800000f03200001001840010c01ffff0160000003009000000300' +
      '00030078ba0240210001002b420101016000000300900000030000030078a003c0801107cb96e92930bc05a020' +
      '0000030020000003032122000100064401c073c189',
    expect: [1920, 1080, 'Main'],
  },
  {
    name: 'x265 642x362 Main 10',
    codec: 'hevc',
    hex:
      '0102200000009000000000003ff000fcfdfafa00000f03200001001840010c01ffff0220000003009000000300' +
      '0003003fba0240210001002c42010102200000030090000003000003003fa005220171c448d96e92930bc05a02' +
      '000003000200000300321022000100064401c073c189',
    expect: [642, 362, 'Main 10'],
  },
  {
    name: 'SVT-AV1 642x362 Main',
    codec: 'av1',
    hex: '81010c000a0b0000000cc5036900be0010',
    expect: [642, 362, 'Main'],
  },
];

describe('parseCodecRecord', () => {
  for (const f of FIXTURES) {
    it(`parses ${f.name}`, () => {
      const [width, height, profile] = f.expect;
      assert.deepEqual(parseCodecRecord(f.codec, Buffer.from(f.hex, 'hex')), {
        width,
        height,
        profile,
      });
    });
  }

  it('reports 0x0 and the record profile when there is no parameter set', () => {
    const avc = Buffer.from('0164001effe000', 'hex'); // no SPS, no PPS
    assert.deepEqual(parseCodecRecord('h264', avc), { width: 0, height: 0, profile: 'High' });
    const hevcHeader = FIXTURES.find((f) => f.codec === 'hevc')!.hex.slice(0, 44);
    const hevc = Buffer.from(`${hevcHeader}00`, 'hex'); // numOfArrays = 0
    assert.deepEqual(parseCodecRecord('hevc', hevc), { width: 0, height: 0, profile: 'Main' });
    const av1 = Buffer.from('81210c00', 'hex'); // seq_profile 1, no config OBUs
    assert.deepEqual(parseCodecRecord('av1', av1), { width: 0, height: 0, profile: 'High' });
  });

  it('rejects every truncation of every fixture with MediaFormatError', () => {
    for (const f of FIXTURES) {
      const full = Buffer.from(f.hex, 'hex');
      const spsEnd = spsEndOffset(f.codec, full);
      for (let n = 0; n < spsEnd; n++) {
        if (f.codec === 'av1' && n === 4) continue; // a bare av1C header is valid
        assert.throws(
          () => parseCodecRecord(f.codec, full.subarray(0, n)),
          MediaFormatError,
          `${f.name} cut at ${n}`,
        );
      }
    }
  });

  it('rejects wrong versions, non-SPS NAL units and implausible sizes', () => {
    const avc = Buffer.from(FIXTURES[0]!.hex, 'hex');
    assert.throws(() => parseCodecRecord('h264', patch(avc, 0, 2)), /configurationVersion 2/);
    assert.throws(() => parseCodecRecord('h264', patch(avc, 8, 0x68)), /not an SPS/);
    assert.throws(() => parseCodecRecord('av1', Buffer.from('01010c00', 'hex')), /marker/);
    // pic_width_in_mbs_minus1 = 2^20 (Exp-Golomb 000..01 + 20 bits): far too wide.
    const sps = Buffer.from('6764000dac0000080000', 'hex');
    const record = Buffer.concat([Buffer.from('0164000dffe1000a', 'hex'), sps]);
    assert.throws(() => parseCodecRecord('h264', record), MediaFormatError);
  });
});

describe('unescapeRbsp', () => {
  it('removes emulation-prevention bytes and keeps everything else', () => {
    const cases: [string, string][] = [
      ['0102', '0102'],
      ['000003', '0000'],
      ['00000301', '000001'],
      ['000003000003ff', '00000000ff'],
      ['ab000003030000', 'ab0000030000'],
    ];
    for (const [input, out] of cases) {
      assert.equal(unescapeRbsp(Buffer.from(input, 'hex')).toString('hex'), out, input);
    }
  });
});

describe('containsIrap', () => {
  const nals = (...units: string[]): Buffer =>
    Buffer.concat(
      units.map((u) => {
        const b = Buffer.from(u, 'hex');
        const len = Buffer.alloc(4);
        len.writeUInt32BE(b.length);
        return Buffer.concat([len, b]);
      }),
    );

  it('finds H.264 IDR slices (type 5) behind SEI and AUD', () => {
    assert.equal(containsIrap('h264', nals('0910', '06050102', '65888000')), true);
    assert.equal(containsIrap('h264', nals('0910', '419a0000')), false);
  });

  it('finds HEVC IRAP pictures (types 16..23)', () => {
    assert.equal(containsIrap('hevc', nals('4601', '2601af00')), true); // IDR_W_RADL
    assert.equal(containsIrap('hevc', nals('2a01af00')), true); // CRA
    assert.equal(containsIrap('hevc', nals('0201d000')), false); // TRAIL_R
    assert.equal(containsIrap('hevc', Buffer.alloc(0)), false);
  });

  it('reads the AV1 frame header type', () => {
    // OBU_TEMPORAL_DELIMITER, then OBU_FRAME with show_existing_frame=0, frame_type=KEY (00).
    assert.equal(containsIrap('av1', Buffer.from('1200' + '320110', 'hex')), true);
    // frame_type = INTER (01): bits 0 01 ...
    assert.equal(containsIrap('av1', Buffer.from('1200' + '320120', 'hex')), false);
  });

  it('throws MediaFormatError when a length runs past the end', () => {
    assert.throws(() => containsIrap('h264', Buffer.from('0000000a6588', 'hex')), MediaFormatError);
    assert.throws(() => containsIrap('hevc', Buffer.from('000000', 'hex')), MediaFormatError);
  });
});

describe('fuzz: parseCodecRecord and containsIrap', () => {
  it('throw only MediaFormatError on random and mutated input', () => {
    const rand = mulberry32(0x5eed);
    const seeds = FIXTURES.map((f) => ({ codec: f.codec, buf: Buffer.from(f.hex, 'hex') }));
    const runs = forDuration(1500, () => {
      for (const { codec, buf } of seeds) {
        const input = mutate(buf, rand);
        for (const fn of [parseCodecRecord, containsIrap]) {
          try {
            fn(codec, input);
          } catch (err) {
            if (!(err instanceof MediaFormatError)) {
              assert.fail(`${codec} ${input.toString('hex')}: ${String(err)}`);
            }
          }
        }
      }
    });
    assert.ok(runs > 100, `only ${runs} runs`);
  });
});

function patch(buf: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(buf);
  copy[offset] = value;
  return copy;
}

/** Offset just past the first SPS (or the whole record for av1): cuts before it must fail. */
function spsEndOffset(codec: VideoCodec, record: Buffer): number {
  if (codec === 'h264') return 8 + record.readUInt16BE(6);
  if (codec === 'av1') return record.length;
  let pos = 23;
  for (let i = 0; i < record[22]!; i++) {
    const type = record[pos]! & 0x3f;
    const count = record.readUInt16BE(pos + 1);
    pos += 3;
    for (let j = 0; j < count; j++) {
      const len = record.readUInt16BE(pos);
      pos += 2 + len;
      if (type === 33) return pos;
    }
  }
  return pos;
}
