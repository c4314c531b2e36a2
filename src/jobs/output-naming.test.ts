import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMediaAddress } from './media-address.js';
import { imageName, outputNameProblem } from './output-naming.js';
import { relativeUrl, renderWebVtt, vttTimestamp } from './webvtt.js';

describe('output names', () => {
  it('follows the {Count} / {TileCount} / .vtt rules', () => {
    assert.equal(outputNameProblem('Normal', 'a.jpg', 1), undefined);
    assert.match(outputNameProblem('Normal', 'a.jpg', 2)!, /\{Count\}/);
    assert.equal(outputNameProblem('Normal', 'a/{Count}.jpg', 2), undefined);
    assert.match(outputNameProblem('Sprite', 'a.jpg', undefined)!, /\{TileCount\}/);
    assert.match(outputNameProblem('WebVtt', 'a.jpg', undefined)!, /\.vtt/);
    assert.match(outputNameProblem('Normal', '../a.jpg', 1)!, /not allowed/);
    assert.equal(imageName('Normal', 'o/s-{Count}.jpg', 7), 'o/s-00007.jpg');
    assert.equal(imageName('Sprite', 'o/{TileCount}/x.jpg', 12), 'o/00012/x.jpg');
    assert.equal(imageName('WebVtt', 'o/track.vtt', 3), 'o/track-00003.jpg');
  });

  it('parses media addresses', () => {
    assert.deepEqual(parseMediaAddress('oss://bucket/a/b.mp4'), {
      kind: 'oss',
      bucket: 'bucket',
      object: 'a/b.mp4',
    });
    assert.deepEqual(
      parseMediaAddress('https://my-bucket.oss-cn-shanghai.aliyuncs.com/a%20b.mp4'),
      {
        kind: 'oss',
        bucket: 'my-bucket',
        object: 'a b.mp4',
      },
    );
    assert.deepEqual(parseMediaAddress('https://cdn.example.com/v.mp4?x=1'), {
      kind: 'url',
      url: 'https://cdn.example.com/v.mp4?x=1',
    });
    for (const bad of [
      'oss://B/x',
      'oss://bucket/',
      'oss://bucket/../x',
      'file:///etc/passwd',
      'ftp://h/x',
      '',
    ]) {
      assert.equal(parseMediaAddress(bad), undefined, bad);
    }
  });

  it('writes WebVTT cues', () => {
    assert.equal(vttTimestamp(3_723_004), '01:02:03.004');
    assert.equal(relativeUrl('a b#1.jpg'), 'a%20b%231.jpg');
    assert.equal(
      renderWebVtt([
        { startMs: 0, endMs: 1000, url: 's.jpg', region: { x: 0, y: 0, w: 10, h: 5 } },
        { startMs: 1000, endMs: 1000, url: 't.jpg' },
      ]),
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\ns.jpg#xywh=0,0,10,5\n\n2\n00:00:01.000 --> 00:00:01.001\nt.jpg\n',
    );
  });
});
