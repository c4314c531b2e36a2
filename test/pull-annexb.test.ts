import '../src/util/polyfill.js';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Demuxer } from 'node-av/api';
import { AV_NOPTS_VALUE } from 'node-av/constants';
import { KeyframeDecoder } from '../src/capture/keyframe-decoder.js';
import { parseAvcRecord } from '../src/media/avc.js';
import { parseHevcRecord } from '../src/media/hevc.js';
import {
  buildAvcRecord,
  isAnnexB,
  recordParameterSets,
  splitAnnexB,
  toFourByteLengths,
  toLengthPrefixed,
} from '../src/ingest/pull-annexb.js';
import { BadSourceError, UnsupportedSourceError } from '../src/ingest/pull-errors.js';
import { PulledVideo, type PulledCodec } from '../src/ingest/pull-video.js';
import type { AccessUnit, CodecConfig } from '../src/stream/stream-types.js';
import { closeTo, decodeJpeg } from './support/jpeg.js';
import { centre, generateClip, patternRegions } from './support/media.js';
import { remux } from './support/pull-sources.js';

/**
 * Pulled video without decoding (src/ingest/pull-annexb.ts, pull-video.ts): Annex-B access
 * units from MPEG-TS (as HLS / SRT / RTSP deliver them) become the hub's avcC / hvcC records
 * and 4-byte length-prefixed units, which the capture engine's keyframe decoder turns into
 * correct pictures; record-framed streams with other NAL length sizes are re-framed.
 */

const LIMITS = { maxWidth: 7680, maxHeight: 4320, maxPacketBytes: 16 * 1024 * 1024 };

interface RawPacket {
  data: Buffer;
  dts: number;
  pts: number;
}

async function readPackets(file: string): Promise<{ extradata?: Buffer; packets: RawPacket[] }> {
  await using input = await Demuxer.open(file);
  const stream = input.video()!;
  const tb = stream.timeBase;
  const ms = (t: bigint) => (t === AV_NOPTS_VALUE ? 0 : (Number(t) * 1000 * tb.num) / tb.den);
  const packets: RawPacket[] = [];
  for await (const p of input.packets(stream.index)) {
    if (!p) break;
    packets.push({ data: Buffer.from(p.data!), dts: ms(p.dts), pts: ms(p.pts) });
    p.free();
  }
  const extradata = stream.codecpar.extradata;
  return { packets, ...(extradata ? { extradata: Buffer.from(extradata) } : {}) };
}

function convertAll(codec: PulledCodec, extradata: Buffer | undefined, packets: RawPacket[]) {
  const video = new PulledVideo(codec, extradata, LIMITS);
  const configs: CodecConfig[] = [];
  const units: AccessUnit[] = [];
  for (const p of packets) {
    const out = video.convert(p);
    if (out.config) configs.push(out.config);
    if (out.unit) units.push(out.unit);
  }
  return { video, configs, units };
}

async function assertPattern(jpeg: Buffer, width: number, height: number): Promise<void> {
  const image = await decodeJpeg(jpeg);
  assert.equal(image.width, width);
  assert.equal(image.height, height);
  const regions = patternRegions(width, height);
  const at = centre(regions.topRight);
  assert.ok(closeTo(image.rgbAt(at.x, at.y), [0, 255, 0], 24), 'green box where expected');
}

describe('Annex-B framing', () => {
  it('splits 3- and 4-byte start codes, dropping leading garbage and trailing zeros', () => {
    const data = Buffer.from([
      9, 9, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3, 0, 0, 1, 0x65, 4, 0,
    ]);
    assert.equal(isAnnexB(data), false);
    assert.equal(isAnnexB(data.subarray(2)), true);
    const nals = splitAnnexB(data);
    assert.deepEqual(
      nals.map((n) => [...n]),
      [
        [0x67, 1, 2],
        [0x68, 3],
        [0x65, 4],
      ],
    );
    const framed = toLengthPrefixed(nals);
    assert.deepEqual([...framed.subarray(0, 7)], [0, 0, 0, 3, 0x67, 1, 2]);
    assert.equal(framed.length, 3 * 4 + 3 + 2 + 2);
  });

  it('re-frames 2-byte NAL lengths to 4 bytes', () => {
    const two = Buffer.from([0, 2, 0x65, 1, 0, 1, 0x41]);
    assert.deepEqual([...toFourByteLengths(two, 2)], [0, 0, 0, 2, 0x65, 1, 0, 0, 0, 1, 0x41]);
  });

  it('refuses a record without PPS', () => {
    assert.throws(() => buildAvcRecord([Buffer.from([0x67, 0x64, 0, 0x1f])], []), /PPS/);
  });
});

describe('PulledVideo on real streams', () => {
  let dir: string;
  let decoder: KeyframeDecoder;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'livesnap-annexb-'));
    decoder = new KeyframeDecoder({ concurrency: 2, backlog: 16, jpegQuality: 90 });
  });
  after(async () => {
    await decoder.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const codec of ['h264', 'hevc'] as const) {
    it(`${codec} in MPEG-TS: record built from in-band parameter sets, keyframes decode`, async () => {
      const clip = await generateClip({
        codec,
        width: 320,
        height: 240,
        duration: 2,
        bFrames: true,
      });
      const ts = join(dir, `${codec}.ts`);
      await remux(clip, ts, 'mpegts');
      const { packets, extradata } = await readPackets(ts);
      assert.ok(isAnnexB(packets[0]!.data), 'MPEG-TS carries Annex-B');
      const { configs, units, video } = convertAll(codec, extradata, packets);
      assert.equal(configs.length, 1, 'one configuration (repeated parameter sets are no change)');
      const config = configs[0]!;
      const info =
        codec === 'h264' ? parseAvcRecord(config.record) : parseHevcRecord(config.record);
      assert.deepEqual([info.width, info.height], [320, 240]);
      assert.deepEqual([config.width, config.height], [320, 240]);
      assert.equal(video.dropped, 0);
      const keyframes = units.filter((u) => u.keyframe);
      assert.equal(keyframes.length, 2, 'an IDR every second');
      assert.equal(units.length, packets.length);
      for (const unit of units) assert.equal(isAnnexB(unit.data), false);
      const jpeg = await decoder.decode(config, keyframes[1]!);
      await assertPattern(jpeg.jpeg, 320, 240);
    });
  }

  it('FLV (avcC) passes through; a 2-byte-length record is re-framed and still decodes', async () => {
    const clip = await generateClip({ codec: 'h264', width: 320, height: 240, duration: 2 });
    const { packets, extradata } = await readPackets(clip);
    assert.ok(extradata && extradata[0] === 1, 'FLV gives an avcC record');
    const direct = convertAll('h264', extradata, packets);
    assert.equal(direct.units[0]!.data, packets[0]!.data, 'no copy for 4-byte lengths');

    // The same stream with 2-byte NAL lengths.
    const record = Buffer.from(extradata);
    record[4] = (record[4]! & 0xfc) | 1;
    const narrow = packets.map((p) => {
      const nals = [...recordNalus(p.data)];
      const out = Buffer.concat(
        nals.flatMap((n) => [Buffer.from([n.length >> 8, n.length & 0xff]), n]),
      );
      return { ...p, data: out };
    });
    const converted = convertAll('h264', record, narrow);
    assert.equal(converted.configs[0]!.record[4]! & 3, 3, 'record says 4-byte lengths');
    assert.deepEqual(converted.units[25]!.data, direct.units[25]!.data);
    const key = converted.units.find((u, i) => u.keyframe && i > 0)!;
    await assertPattern((await decoder.decode(converted.configs[0]!, key)).jpeg, 320, 240);
    assert.equal(recordParameterSets('h264', converted.configs[0]!.record).lengthSize, 4);
  });

  it('a picture over the limits is unsupported; an oversized packet is a bad source', async () => {
    const clip = await generateClip({ codec: 'h264', width: 320, height: 240, duration: 2 });
    const { packets, extradata } = await readPackets(clip);
    assert.throws(
      () => new PulledVideo('h264', extradata, { ...LIMITS, maxWidth: 160 }),
      (err: Error) => err instanceof UnsupportedSourceError && /320x240 exceeds/.test(err.message),
    );
    const small = new PulledVideo('h264', extradata, { ...LIMITS, maxPacketBytes: 100 });
    assert.throws(() => small.convert(packets[0]!), BadSourceError);
    const broken = new PulledVideo('h264', extradata, LIMITS);
    assert.throws(
      () => broken.convert({ data: Buffer.from([0, 0, 0, 200, 1, 2]), dts: 0, pts: 0 }),
      (err: Error) => err instanceof BadSourceError && /broken h264 stream/.test(err.message),
    );
  });

  it('Annex-B units before any parameter set are dropped until a configuration exists', () => {
    const video = new PulledVideo('h264', undefined, LIMITS);
    const slice = Buffer.from([0, 0, 0, 1, 0x41, 0x9a, 0x10]);
    assert.deepEqual(video.convert({ data: slice, dts: 0, pts: 0 }), {});
    assert.equal(video.dropped, 1);
  });
});

function* recordNalus(data: Buffer): Generator<Buffer> {
  for (let pos = 0; pos < data.length;) {
    const len = data.readUInt32BE(pos);
    yield data.subarray(pos + 4, pos + 4 + len);
    pos += 4 + len;
  }
}
