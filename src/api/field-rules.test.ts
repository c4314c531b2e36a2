import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APP_NAME, AUTH_KEY, DOMAIN_NAME, isCallbackUrl, OSS_BUCKET } from './field-rules.js';

describe('field rules', () => {
  it('domain names', () => {
    for (const ok of ['example.com', 'localhost', 'Live.Example.COM', 'a-b.c0', '127.0.0.1']) {
      assert.ok(DOMAIN_NAME.test(ok), ok);
    }
    for (const bad of [
      '',
      '-a.com',
      'a-.com',
      'a..com',
      'a.com.',
      'a_b.com',
      'a b',
      `${'a'.repeat(64)}.com`,
      'x.'.repeat(127) + 'xy',
    ]) {
      assert.ok(!DOMAIN_NAME.test(bad), bad);
    }
  });

  it('app names', () => {
    for (const ok of ['*', 'live', 'a_b-c', '0', 'A'.repeat(255)]) assert.ok(APP_NAME.test(ok), ok);
    for (const bad of ['', '-a', '_a', 'a b', 'a/b', '**', 'a*', 'A'.repeat(256), 'é']) {
      assert.ok(!APP_NAME.test(bad), bad);
    }
  });

  it('bucket names', () => {
    for (const ok of ['abc', 'snaps', 'my-bucket-1', 'a'.repeat(63)])
      assert.ok(OSS_BUCKET.test(ok), ok);
    for (const bad of ['ab', 'Snaps', '-abc', 'abc-', 'a_b', 'a.b', 'a'.repeat(64)]) {
      assert.ok(!OSS_BUCKET.test(bad), bad);
    }
  });

  it('auth keys and callback URLs', () => {
    assert.ok(AUTH_KEY.test('a'.repeat(16)) && AUTH_KEY.test('A1'.repeat(16)));
    assert.ok(
      !AUTH_KEY.test('a'.repeat(15)) &&
        !AUTH_KEY.test('a'.repeat(33)) &&
        !AUTH_KEY.test('a-'.repeat(8)),
    );
    assert.ok(isCallbackUrl('http://cb.example.com/x?y=1'));
    assert.ok(isCallbackUrl('https://127.0.0.1:9000/'));
    assert.ok(!isCallbackUrl('ftp://x/'));
    assert.ok(!isCallbackUrl('http//x'));
    assert.ok(!isCallbackUrl('javascript:alert(1)'));
    assert.ok(!isCallbackUrl('http://x/' + 'a'.repeat(500)));
  });
});
