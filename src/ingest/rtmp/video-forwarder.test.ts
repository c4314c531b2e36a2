import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaFormatError } from '../../errors.js';
import type { VideoTag } from '../../media/flv-types.js';
import { silentLogger } from '../../log.js';
import type { AccessUnit, CodecConfig, Publisher } from '../../stream/stream-types.js';
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
