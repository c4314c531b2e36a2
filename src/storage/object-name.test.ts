import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNameValue, renderObjectName, validateObjectNameTemplate } from './object-name.js';
import { InvalidObjectKeyError, InvalidObjectNameTemplateError } from './storage-errors.js';

const vars = { appName: 'live', streamName: 'cam1', unixTimestamp: 1763712000.9, sequence: 7 };

describe('object names', () => {
  it('renders every variable', () => {
    assert.equal(renderObjectName('{AppName}/{StreamName}.jpg', vars), 'live/cam1.jpg');
    assert.equal(
      renderObjectName('snapshot/{AppName}/{StreamName}/{UnixTimestamp}_{Sequence}.jpg', vars),
      'snapshot/live/cam1/1763712000_7.jpg',
    );
    assert.equal(renderObjectName('{Sequence}{Sequence}.jpg', vars), '77.jpg');
  });

  it('keeps ordinary and Unicode names readable', () => {
    for (const name of ['cam-1', 'cam_1', 'Cam.1', 'a+b=c&d', '摄像头1', 'caméra', '😀']) {
      assert.equal(encodeNameValue(name), name);
    }
  });

  it('percent-encodes characters that could change the key structure', () => {
    assert.equal(encodeNameValue('a/b'), 'a%2Fb');
    assert.equal(encodeNameValue('..'), '%2E.');
    assert.equal(encodeNameValue('.hidden'), '%2Ehidden');
    assert.equal(encodeNameValue('a\\b'), 'a%5Cb');
    assert.equal(encodeNameValue('100%'), '100%25');
    assert.equal(encodeNameValue('a b'), 'a%20b');
    assert.equal(encodeNameValue('nul\u0000\n'), 'nul%00%0A');
    assert.equal(encodeNameValue('q?#'), 'q%3F%23');
    assert.equal(encodeNameValue('\ud800'), '%EF%BF%BD');
    assert.equal(encodeNameValue('.lstmp-x'), '%2Elstmp-x');
  });

  it('no stream or app name can escape the bucket', () => {
    const hostile = [
      '..',
      '../..',
      '../../etc/passwd',
      '/abs',
      '.',
      '',
      '\\..\\',
      '%2e%2e',
      'a/../..',
    ];
    for (const streamName of hostile) {
      for (const appName of hostile) {
        for (const template of [
          '{AppName}/{StreamName}.jpg',
          '{AppName}{StreamName}/{Sequence}.jpg',
          '{StreamName}/{AppName}/{UnixTimestamp}.jpg',
        ]) {
          let key: string;
          try {
            key = renderObjectName(template, { ...vars, appName, streamName });
          } catch (err) {
            assert.ok(err instanceof InvalidObjectKeyError, String(err)); // e.g. empty names
            continue;
          }
          const segments = key.split('/');
          assert.ok(!key.startsWith('/'), key);
          assert.ok(!segments.includes('..') && !segments.includes('.'), key);
          assert.ok(!key.includes('\\'), key);
        }
      }
    }
  });

  it('rejects a rendered key that is too long', () => {
    assert.throws(
      () => renderObjectName('{StreamName}.jpg', { ...vars, streamName: 'x'.repeat(300) }),
      InvalidObjectKeyError,
    );
  });

  it('validates templates by kind (spec naming rules)', () => {
    validateObjectNameTemplate('{AppName}/{StreamName}.jpg', 'overwrite');
    validateObjectNameTemplate('snapshot/{AppName}/{StreamName}/{UnixTimestamp}.jpg', 'sequence');
    validateObjectNameTemplate('{AppName}/{StreamName}/{Sequence}.jpg', 'sequence');
    const bad: [string, 'overwrite' | 'sequence', RegExp][] = [
      ['', 'overwrite', /empty/],
      ['{AppName}/{StreamName}.png', 'overwrite', /\.jpg/],
      ['{AppName}/{UnixTimestamp}.jpg', 'overwrite', /not a variable/],
      ['{AppName}/{StreamName}.jpg', 'sequence', /UnixTimestamp.*Sequence/],
      ['{AppName}/{Date}/{Sequence}.jpg', 'sequence', /not a variable/],
      ['{AppName/{Sequence}.jpg', 'sequence', /unbalanced|not a variable/],
      ['../{AppName}/{Sequence}.jpg', 'sequence', /"\.\."/],
      ['/{AppName}/{Sequence}.jpg', 'sequence', /absolute/],
      [`${'x'.repeat(250)}{Sequence}.jpg`, 'sequence', /255 bytes/],
    ];
    for (const [template, kind, message] of bad) {
      assert.throws(
        () => validateObjectNameTemplate(template, kind),
        (err: unknown) =>
          err instanceof InvalidObjectNameTemplateError && message.test(err.message),
        template,
      );
    }
  });

  it('rejects unknown variables when rendering', () => {
    assert.throws(() => renderObjectName('{Date}.jpg', vars), InvalidObjectNameTemplateError);
  });
});
