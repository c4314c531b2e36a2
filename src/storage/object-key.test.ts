import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareKeys, validateBucketName, validateObjectKey } from './object-key.js';
import { InvalidBucketNameError, InvalidObjectKeyError } from './storage-errors.js';

describe('object keys and bucket names', () => {
  it('accepts ordinary keys', () => {
    for (const key of ['a', 'a.jpg', 'live/cam1/1.jpg', '.hidden', 'a..b', '...', '摄像头/1.jpg']) {
      validateObjectKey(key);
    }
    validateObjectKey('x'.repeat(255));
    validateObjectKey(Array.from({ length: 4 }, () => 'y'.repeat(255)).join('/')); // 1023 bytes
  });

  it('rejects keys that could escape or cannot be stored, with a reason', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['../a', /"\.\."/],
      ['a/./b', /"\.\."/],
      ['/a', /absolute/],
      ['a/', /end with/],
      ['a//b', /empty path segment/],
      ['a\\b', /backslash/],
      ['a\u0000', /control/],
      ['\ud83d', /Unicode/],
      ['x'.repeat(1025), /1024/],
      ['z'.repeat(256), /255/],
      ['.lstmp-1', /reserved/],
    ];
    for (const [key, reason] of cases) {
      assert.throws(
        () => validateObjectKey(key),
        (err: unknown) => err instanceof InvalidObjectKeyError && reason.test(err.message),
        JSON.stringify(key),
      );
    }
  });

  it('bucket names: 3–63 of a-z 0-9 -, alphanumeric at both ends', () => {
    for (const b of ['abc', 'snaps', 'live-snaps-2', 'a'.repeat(63), '123']) validateBucketName(b);
    for (const b of ['ab', 'a'.repeat(64), 'Snaps', 'a_b', '-ab', 'ab-', 'a.b', 'a/b', '']) {
      assert.throws(() => validateBucketName(b), InvalidBucketNameError, b);
    }
  });

  it('compares keys by UTF-8 bytes', () => {
    assert.ok(compareKeys('\ufffd', '\u{1f600}') < 0);
    assert.ok('\ufffd' > '\u{1f600}'); // UTF-16 order differs
    assert.equal(compareKeys('a', 'a'), 0);
  });
});
