import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  objectNameProblem,
  renderObjectName,
  templateProblem,
  UnsafeObjectNameError,
} from './object-name-rules.js';

describe('naming templates', () => {
  it('accepts the documented examples', () => {
    assert.equal(templateProblem('overwrite', '{AppName}/{StreamName}.jpg'), undefined);
    assert.equal(
      templateProblem('sequence', 'snapshot/{AppName}/{StreamName}/{UnixTimestamp}.jpg'),
      undefined,
    );
    assert.equal(templateProblem('sequence', 's/{StreamName}-{Sequence}.jpg'), undefined);
    assert.equal(templateProblem('overwrite', 'fixed.jpg'), undefined);
  });

  it('limits variables per field', () => {
    assert.match(templateProblem('overwrite', '{UnixTimestamp}.jpg')!, /not allowed/);
    assert.match(templateProblem('overwrite', '{Sequence}.jpg')!, /not allowed/);
    assert.match(templateProblem('sequence', '{Date}/{Sequence}.jpg')!, /not allowed/);
    assert.match(templateProblem('sequence', '{appname}/{Sequence}.jpg')!, /not allowed/);
    assert.match(templateProblem('sequence', '{}/{Sequence}.jpg')!, /not allowed/);
  });

  it('requires {UnixTimestamp} or {Sequence} in a sequence template', () => {
    assert.match(templateProblem('sequence', '{AppName}/{StreamName}.jpg')!, /needs/);
  });

  it('requires .jpg and balanced braces', () => {
    assert.match(templateProblem('overwrite', '{AppName}.png')!, /\.jpg/);
    assert.match(templateProblem('overwrite', '{AppName}.JPG')!, /\.jpg/);
    assert.match(templateProblem('overwrite', '{AppName.jpg')!, /braces/);
    assert.match(templateProblem('overwrite', 'AppName}.jpg')!, /braces/);
    assert.match(templateProblem('overwrite', '{{AppName}}.jpg')!, /braces/);
  });

  it('limits length to < 256 bytes', () => {
    const ok = 'a'.repeat(251) + '.jpg';
    assert.equal(templateProblem('overwrite', ok), undefined);
    assert.match(templateProblem('overwrite', 'a' + ok)!, /256/);
    assert.match(templateProblem('overwrite', 'é'.repeat(126) + '.jpg')!, /256/);
  });

  it('refuses names that escape the bucket', () => {
    for (const bad of [
      '../x.jpg',
      'a/../x.jpg',
      'a/./x.jpg',
      '/abs/x.jpg',
      'a\\x.jpg',
      'a//x.jpg',
      'a/\u0000x.jpg',
      'a/\nx.jpg',
      '..',
    ]) {
      assert.notEqual(templateProblem('overwrite', bad), undefined, bad);
    }
    assert.equal(objectNameProblem('a/..b/c..d.jpg'), undefined);
  });
});

describe('renderObjectName', () => {
  it('substitutes every variable', () => {
    assert.equal(
      renderObjectName('s/{AppName}/{StreamName}/{UnixTimestamp}-{Sequence}.jpg', {
        appName: 'live',
        streamName: 'cam1',
        unixTimestamp: 1763712000,
        sequence: 7,
      }),
      's/live/cam1/1763712000-7.jpg',
    );
  });

  it('refuses publisher-controlled names that would escape', () => {
    assert.throws(
      () => renderObjectName('{StreamName}/x.jpg', { appName: 'a', streamName: '..' }),
      UnsafeObjectNameError,
    );
    assert.throws(
      () => renderObjectName('{AppName}/{StreamName}.jpg', { appName: 'a', streamName: 'b\\c' }),
      UnsafeObjectNameError,
    );
    assert.throws(() =>
      renderObjectName('{StreamName}.jpg', { appName: 'a', streamName: 'x'.repeat(300) }),
    );
  });
});
