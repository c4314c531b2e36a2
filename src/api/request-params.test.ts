import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './api-error.js';
import { decodeForm, MAX_PARAMS, mergeParams } from './request-params.js';

describe('form decoding and merging', () => {
  it('decodes +, percent escapes and UTF-8; skips empty segments', () => {
    assert.deepEqual(decodeForm('a=1+2&&b=%E4%BD%A0%2B&c&d='), [
      ['a', '1 2'],
      ['b', '你+'],
      ['c', ''],
      ['d', ''],
    ]);
    assert.deepEqual(decodeForm(''), []);
  });

  it('refuses malformed escapes, nameless pairs and too many parameters', () => {
    assert.throws(() => decodeForm('a=%ZZ'), ApiError);
    assert.throws(() => decodeForm('a=%C3'), ApiError);
    assert.throws(() => decodeForm('=1'), ApiError);
    const many = Array.from({ length: MAX_PARAMS + 1 }, (_, i) => `p${i}=1`).join('&');
    assert.throws(() => decodeForm(many), /more than 1000/);
  });

  it('merges sources and refuses duplicates anywhere', () => {
    assert.deepEqual(
      [...mergeParams([['a', '1']], [['b', '2']])],
      [
        ['a', '1'],
        ['b', '2'],
      ],
    );
    assert.throws(() => mergeParams([['a', '1']], [['a', '1']]), /"a".*more than once/);
    assert.throws(
      () =>
        mergeParams(
          [
            ['a', '1'],
            ['a', '2'],
          ],
          [],
        ),
      ApiError,
    );
  });
});
