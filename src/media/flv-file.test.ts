import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaFormatError } from '../errors.js';
import { FlvTagType, readFlvTags, readFlvVideoTags, writeFlv, type FlvTag } from './flv-file.js';

const tags: FlvTag[] = [
  { type: FlvTagType.Script, timestamp: 0, body: Buffer.from([2, 0, 1, 0x41]) },
  { type: FlvTagType.Video, timestamp: 0, body: Buffer.from([0x17, 0, 0, 0, 0]) },
  { type: FlvTagType.Audio, timestamp: 21, body: Buffer.from([0xaf, 1, 5]) },
  { type: FlvTagType.Video, timestamp: 0x1234567, body: Buffer.from([0x27, 1, 0, 0, 0, 9]) },
];

const shape = (t: FlvTag): [number, number, string] => [
  t.type,
  t.timestamp,
  t.body.toString('hex'),
];

describe('FLV file', () => {
  it('writes a header, tags and back pointers, and reads them back', () => {
    const file = writeFlv(tags);
    assert.equal(file.toString('latin1', 0, 3), 'FLV');
    assert.equal(file[4], 0x05, 'audio and video flags');
    assert.equal(file.readUInt32BE(5), 9);
    assert.equal(file.readUInt32BE(file.length - 4), 11 + 6, 'last PreviousTagSize');
    assert.deepEqual(readFlvTags(file).map(shape), tags.map(shape));
    assert.deepEqual(
      readFlvVideoTags(file).map((t) => t.timestamp),
      [0, 0x1234567],
    );
  });

  it('timestamps use the extended byte above 24 bits', () => {
    const file = writeFlv([tags[3]!]);
    const tag = 9 + 4;
    assert.equal(file.readUIntBE(tag + 4, 3), 0x234567);
    assert.equal(file[tag + 7], 0x01);
  });

  it('bodies are views into the file, not copies', () => {
    const file = writeFlv(tags);
    const [first] = readFlvTags(file);
    assert.equal(first!.body.buffer, file.buffer);
  });

  it('skips tags of other types and stops at a truncated final tag', () => {
    const file = writeFlv(tags);
    const other = Buffer.from(file);
    other[9 + 4] = 0x0f; // the script tag becomes an unknown type
    assert.deepEqual(
      readFlvTags(other).map((t) => t.type),
      [FlvTagType.Video, FlvTagType.Audio, FlvTagType.Video],
    );
    const truncated = file.subarray(0, file.length - 4 - 2);
    assert.equal(readFlvTags(truncated).length, 3);
  });

  it('honours a longer header (DataOffset) and rejects what is not FLV', () => {
    const file = writeFlv(tags);
    const longer = Buffer.concat([file.subarray(0, 9), Buffer.alloc(3), file.subarray(9)]);
    longer.writeUInt32BE(12, 5);
    assert.deepEqual(readFlvTags(longer).map(shape), tags.map(shape));
    assert.throws(() => readFlvTags(Buffer.from('GIF89a-not-flv')), MediaFormatError);
    const bad = Buffer.from(file);
    bad.writeUInt32BE(3, 5);
    assert.throws(() => readFlvTags(bad), MediaFormatError);
  });
});
