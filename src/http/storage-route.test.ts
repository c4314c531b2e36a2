import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../api/api-error.js';
import { parseRange, parseStoragePath } from './storage-route.js';

describe('parseStoragePath', () => {
  it('decodes bucket and object', () => {
    assert.deepEqual(parseStoragePath('/storage/snaps/live/cam%201.jpg'), {
      bucket: 'snaps',
      key: 'live/cam 1.jpg',
    });
    assert.deepEqual(parseStoragePath('/storage/snaps/a%2Fb+c.jpg'), {
      bucket: 'snaps',
      key: 'a/b+c.jpg',
    });
  });

  it('refuses names that could leave the bucket', () => {
    const code = (path: string) => {
      try {
        parseStoragePath(path);
        return 'ok';
      } catch (err) {
        assert.ok(err instanceof ApiError);
        return err.code;
      }
    };
    for (const path of [
      '/storage/snaps/../x',
      '/storage/snaps/%2E%2E/x',
      '/storage/snaps/a/%2e',
      '/storage/snaps/a%5Cb',
      '/storage/snaps/a%00',
      '/storage/snaps/%2Fetc/passwd',
      '/storage/snaps/%E0%A4%A',
      '/storage/snaps/',
    ]) {
      assert.equal(code(path), 'InvalidObjectName', path);
    }
    for (const path of ['/storage/../x', '/storage/%2e%2e/x', '/storage/UPPER/x', '/storage/']) {
      assert.equal(code(path), 'InvalidBucketName', path);
    }
  });
});

describe('parseRange', () => {
  it('resolves one range against the size', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-200', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=95-', 100), { start: 95, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 99 });
  });

  it('tells unsatisfiable from ignorable', () => {
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
    for (const h of [undefined, 'bytes=5-3', 'bytes=-', 'items=0-1', 'bytes=0-1,3-4']) {
      assert.equal(parseRange(h, 100), undefined, String(h));
    }
  });
});
