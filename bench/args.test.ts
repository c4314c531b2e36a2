import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBenchArgs } from './args.js';

describe('bench flags', () => {
  it('defaults: the full sweep, capture on, FFmpeg-sized chunks', () => {
    const a = parseBenchArgs([]);
    assert.deepEqual(a.streams, [10, 50, 100, 200]);
    assert.equal(a.noCapture, false);
    assert.equal(a.chunkSize, 4096);
    assert.deepEqual(a.systems, ['livesnap', 'nginx-full', 'nginx-keyframe']);
  });

  it('--no-capture runs nginx-rtmp once (both nginx recipes are then the same)', () => {
    assert.deepEqual(parseBenchArgs(['--no-capture']).systems, ['livesnap', 'nginx-full']);
    const only = parseBenchArgs(['--no-capture', '--systems', 'livesnap,nginx-keyframe']);
    assert.deepEqual(only.systems, ['livesnap', 'nginx-keyframe']);
    assert.equal(only.noCapture, true);
  });

  it('refuses bad values with the flag named', () => {
    assert.throws(() => parseBenchArgs(['--chunk-size', '64']), /--chunk-size/);
    assert.throws(() => parseBenchArgs(['--chunk-size', 'big']), /--chunk-size/);
    assert.throws(
      () => parseBenchArgs(['--livesnap-node-options', 'max-old-space-size=64']),
      /--livesnap-node-options/,
    );
    assert.throws(() => parseBenchArgs(['--systems', 'wowza']), /unknown "wowza"/);
    assert.throws(() => parseBenchArgs(['--frobnicate']), /unknown flag/);
  });

  it('--livesnap-node-options splits flags', () => {
    const a = parseBenchArgs(['--livesnap-node-options', '--max-semi-space-size=4  --jitless']);
    assert.deepEqual(a.livesnapNodeOptions, ['--max-semi-space-size=4', '--jitless']);
  });
});
