import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  callbackSignature,
  signedHost,
  signingHeaders,
  verifyCallbackSignature,
} from './callback-signing.js';

test('matches the spec §2.10 example', () => {
  assert.equal(
    callbackSignature('learn.aliyundoc.com', 1519375990, 'yourkey'),
    '9e226fc2c250be266e3657e156f68c12',
  );
});

test('signs the host name only: no scheme, port, path or case', () => {
  assert.equal(
    signedHost('https://Learn.AliyunDoc.com:8443/your/callback?x=1'),
    'learn.aliyundoc.com',
  );
  const h = signingHeaders('https://learn.aliyundoc.com/your/callback', 'yourkey', 1519375990_500);
  assert.deepEqual(h, {
    'ALI-LIVE-TIMESTAMP': '1519375990',
    'ALI-LIVE-SIGNATURE': '9e226fc2c250be266e3657e156f68c12',
  });
});

test('receivers verify the signature and reject stale or forged ones', () => {
  const base = {
    host: 'learn.aliyundoc.com',
    timestamp: '1519375990',
    signature: '9e226fc2c250be266e3657e156f68c12',
    key: 'yourkey',
    nowMs: 1519375990_000 + 30_000,
    toleranceSec: 60,
  };
  assert.equal(verifyCallbackSignature(base), true);
  assert.equal(verifyCallbackSignature({ ...base, key: 'otherkey' }), false);
  assert.equal(verifyCallbackSignature({ ...base, nowMs: base.nowMs + 120_000 }), false);
  assert.equal(verifyCallbackSignature({ ...base, signature: undefined }), false);
  assert.equal(verifyCallbackSignature({ ...base, timestamp: '1e9' }), false);
  assert.equal(verifyCallbackSignature({ ...base, signature: 'abc' }), false);
});
