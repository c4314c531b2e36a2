import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaFormatError } from '../../errors.js';
import type { VideoTag } from '../../media/flv-types.js';
import { silentLogger } from '../../log.js';
import { parseVideoTag } from '../../media/flv-video.js';
import { parseCodecRecord } from '../../media/param-sets.js';
import type { AccessUnit, CodecConfig, Publisher } from '../../stream/stream-types.js';
import type { DeferredPayload } from './chunk-reader.js';
import { VideoForwarder, type VideoParsers } from './video-forwarder.js';

function recorder(): { publisher: Publisher; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const publisher: Publisher = {
    key: { domain: 'd', app: 'a', stream: 's' },
    metadata: (m) => calls.push(['metadata', m]),
    videoConfig: (c: CodecConfig) => calls.push(['config', c]),
    accessUnit: (u: AccessUnit) =>
      calls.push(['unit', u.dts, u.pts, u.keyframe, u.data.toString()]),
    endOfSequence: () => calls.push(['eos']),
    close: (r) => calls.push(['close', r]),
  };
  return { publisher, calls };
}

/** The stub parser reads a tag from JSON-ish test bodies. */
const parsers = (recordFails = false): VideoParsers => ({
  parseVideoTag: (body): VideoTag => {
    const s = body.toString();
    if (s === 'bad') throw new MediaFormatError('bad tag');
    if (s === 'boom') throw new TypeError('bug');
    if (s.startsWith('config')) return { kind: 'config', codec: 'hevc', record: body };
    if (s === 'eos') return { kind: 'end-of-sequence', codec: 'hevc' };
    if (s === 'info') return { kind: 'ignored', reason: 'video info frame' };
    const [, cts, key] = s.split(':');
    return {
      kind: 'frame',
      codec: 'hevc',
      keyframe: key === 'k',
      compositionTime: Number(cts),
      data: body,
    };
  },
  parseCodecRecord: (codec, record) => {
    if (recordFails) throw new MediaFormatError('bad record');
    return { width: 1920, height: 1080, profile: `${codec} Main ${record.length}` };
  },
});

describe('video forwarder', () => {
  it('config, frames with dts/pts, end of sequence; ignored tags counted', () => {
    const { publisher, calls } = recorder();
    const f = new VideoForwarder(publisher, parsers(), silentLogger());
    f.video(0, Buffer.from('config'));
    f.video(0, Buffer.from('f:80:k'));
    f.video(40, Buffer.from('f:0:d'));
    f.video(40, Buffer.from('info'));
    f.video(80, Buffer.from('eos'));
    assert.deepEqual(calls, [
      [
        'config',
        {
          codec: 'hevc',
          record: Buffer.from('config'),
          width: 1920,
          height: 1080,
          profile: 'hevc Main 6',
        },
      ],
      ['unit', 0, 80, true, 'f:80:k'],
      ['unit', 40, 40, false, 'f:0:d'],
      ['eos'],
    ]);
    assert.deepEqual(f.stats, { frames: 2, keyframes: 1, configs: 1, ignored: 1, malformed: 0 });
  });

  it('extends timestamps across the 32-bit wrap', () => {
    const { publisher, calls } = recorder();
    const f = new VideoForwarder(publisher, parsers(), silentLogger());
    f.video(0xffffffd8, Buffer.from('f:0:k'));
    f.video(0x10, Buffer.from('f:-10:d'));
    assert.deepEqual(
      calls.map((c) => [c[1], c[2]]),
      [
        [0xffffffd8, 0xffffffd8],
        [2 ** 32 + 0x10, 2 ** 32 + 0x10 - 10],
      ],
    );
  });

  it('an unparsable record still gives a config with unknown size', () => {
    const { publisher, calls } = recorder();
    new VideoForwarder(publisher, parsers(true), silentLogger()).video(0, Buffer.from('config'));
    const config = calls[0]![1] as CodecConfig;
    assert.deepEqual([config.width, config.height, config.profile], [0, 0, '']);
  });

  it('a frame whose header is in the first chunk is not assembled until its data is read', () => {
    const units: AccessUnit[] = [];
    const { publisher } = recorder();
    const f = new VideoForwarder(
      { ...publisher, accessUnit: (u) => units.push(u) },
      { parseVideoTag, parseCodecRecord },
      silentLogger(),
    );
    // Legacy AVC inter frame, composition time 33, in two chunks; then HEVC over Enhanced RTMP.
    const legacy = Buffer.from([0x27, 1, 0, 0, 33, 0, 0, 0, 2, 0x41, 0x9a]);
    const enhanced = Buffer.from([0x93, 0x68, 0x76, 0x63, 0x31, 0, 0, 0, 2, 0x26, 0x01]);
    let assembled = 0;
    const deferred = (body: Buffer, split: number): DeferredPayload => ({
      head: body.subarray(0, split),
      length: body.length,
      full: () => {
        assembled++;
        return Buffer.from(body);
      },
    });
    f.video(40, deferred(legacy, 7));
    f.video(80, deferred(enhanced, 9));
    assert.equal(assembled, 0);
    assert.deepEqual(
      units.map((u) => [u.dts, u.pts, u.keyframe, u.byteLength]),
      [
        [40, 73, false, 6],
        [80, 80, true, 6],
      ],
    );
    assert.equal(units[0]!.data.toString('hex'), '000000024' + '19a');
    assert.equal(units[1]!.data.toString('hex'), '000000022601');
    assert.equal(assembled, 2);
    assert.deepEqual(f.stats, { frames: 2, keyframes: 1, configs: 0, ignored: 0, malformed: 0 });
  });

  it('a body whose first chunk does not hold a frame header and data is assembled first', () => {
    const units: AccessUnit[] = [];
    const { publisher } = recorder();
    const f = new VideoForwarder(
      { ...publisher, accessUnit: (u) => units.push(u) },
      { parseVideoTag, parseCodecRecord },
      silentLogger(),
    );
    const body = Buffer.from([0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65]);
    let assembled = 0;
    for (const split of [3, 5]) {
      // Cut inside the header (truncated), then right after it (no data yet).
      f.video(split, {
        head: body.subarray(0, split),
        length: body.length,
        full: () => {
          assembled++;
          return body;
        },
      });
    }
    assert.equal(assembled, 2);
    assert.deepEqual(
      units.map((u) => [u.dts, u.keyframe, u.data.toString('hex')]),
      [
        [3, true, '0000000165'],
        [5, true, '0000000165'],
      ],
    );
  });

  it('malformed tags are dropped and counted; other errors propagate', () => {
    const { publisher, calls } = recorder();
    const f = new VideoForwarder(publisher, parsers(), silentLogger());
    for (let i = 0; i < 5; i++) f.video(0, Buffer.from('bad'));
    f.video(0, Buffer.from('f:0:k'));
    assert.equal(f.stats.malformed, 5);
    assert.equal(calls.length, 1);
    assert.throws(() => f.video(0, Buffer.from('boom')), TypeError);
  });
});
