import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './api-error.js';
import { notifyParamCodes, ParamReader } from './param-reader.js';

function reader(entries: Record<string, string>, codes = undefined) {
  return new ParamReader(new Map(Object.entries(entries)), codes);
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return err.code;
  }
  assert.fail('expected an ApiError');
}

describe('ParamReader', () => {
  it('reads strings with length and pattern limits', () => {
    const p = reader({ A: 'abc', E: '' });
    assert.equal(p.string('A'), 'abc');
    assert.equal(p.optionalString('E'), undefined);
    assert.equal(
      code(() => p.string('E')),
      'MissingParameter',
    );
    assert.equal(
      code(() => p.string('Z')),
      'MissingParameter',
    );
    assert.equal(
      code(() => p.string('A', { maxLength: 2 })),
      'InvalidParameter',
    );
    assert.equal(
      code(() => p.string('A', { minLength: 4 })),
      'InvalidParameter',
    );
    assert.equal(
      code(() => p.string('A', { pattern: /^\d+$/ })),
      'InvalidParameter',
    );
    assert.equal(
      code(() => p.string('A', { pattern: /^\d+$/, code: 'InvalidOssBucket.Malformed' })),
      'InvalidOssBucket.Malformed',
    );
  });

  it('reads integers strictly within a range', () => {
    const p = reader({ N: '42', F: '4.2', X: '1e3', B: '99999999999999999', M: '-3' });
    assert.equal(p.integer('N', { min: 1, max: 42 }), 42);
    assert.equal(p.integer('M'), -3);
    assert.equal(
      code(() => p.integer('N', { max: 41 })),
      'InvalidParameter',
    );
    for (const name of ['F', 'X', 'B'])
      assert.equal(
        code(() => p.integer(name)),
        'InvalidParameter',
      );
    assert.equal(p.optionalInteger('none'), undefined);
  });

  it('reads enums and booleans', () => {
    const p = reader({ O: 'asc', T: 'TRUE', F: 'false', Bad: 'yes' });
    assert.equal(p.oneOf('O', ['asc', 'desc'] as const), 'asc');
    assert.equal(
      code(() => p.oneOf('Bad', ['asc', 'desc'] as const)),
      'InvalidParameter',
    );
    assert.equal(p.boolean('T'), true);
    assert.equal(p.boolean('F'), false);
    assert.equal(
      code(() => p.boolean('Bad')),
      'InvalidParameter',
    );
    assert.equal(
      code(() => p.boolean('none')),
      'MissingParameter',
    );
  });

  it('reads lists as Name.N or as a JSON array', () => {
    const opts = { maxItems: 3 };
    assert.deepEqual(reader({ 'L.2': 'b', 'L.1': 'a' }).list('L', opts), ['a', 'b']);
    assert.deepEqual(reader({ L: '[1660638613798,"x"]' }).list('L', opts), ['1660638613798', 'x']);
    assert.equal(
      code(() => reader({}).list('L', opts)),
      'MissingParameter',
    );
    assert.equal(
      code(() => reader({ 'L.1': 'a', 'L.3': 'c' }).list('L', opts)),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ 'L.0': 'a' }).list('L', opts)),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ 'L.x': 'a' }).list('L', opts)),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ 'L.1': 'a', L: '[]' }).list('L', opts)),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ L: '[1,2,3,4]' }).list('L', opts)),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ 'L.1': 'a', 'L.2': 'a', 'L.3': 'a', 'L.4': 'a' }).list('L', opts)),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ L: '{"a":1}' }).list('L', opts)),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ L: '[[1]]' }).list('L', opts)),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ L: '[1' }).list('L', opts)),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ L: '[]' }).list('L', { maxItems: 3, minItems: 1 })),
      'InvalidParameter',
    );
    assert.equal(
      code(() => reader({ 'L.1': 'abcd' }).list('L', { maxItems: 3, itemMaxLength: 3 })),
      'InvalidParameter',
    );
  });

  it('reads JSON parameters', () => {
    assert.deepEqual(reader({ J: '{"Type":"OSS"}' }).optionalJson('J'), { Type: 'OSS' });
    assert.equal(
      code(() => reader({ J: '{' }).optionalJson('J')),
      'InvalidParameter',
    );
  });

  it('raises the notify family codes when asked', () => {
    const p = new ParamReader(new Map([['A', 'x']]), notifyParamCodes);
    assert.equal(
      code(() => p.string('B')),
      'MissingParam',
    );
    assert.equal(
      code(() => p.string('A', { minLength: 2 })),
      'MalformedParam',
    );
  });
});
