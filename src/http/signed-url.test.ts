import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AccessKeyLookup } from '../api/request-auth.js';
import {
  canonicalStoragePath,
  signStorageUrl,
  storageStringToSign,
  verifyStorageSignature,
} from './signed-url.js';

const KEY = { accessKeyId: 'LTAIsigner', accessKeySecret: 'signer-secret' };
const lookup: AccessKeyLookup = async (id) =>
  id === KEY.accessKeyId
    ? { secret: KEY.accessKeySecret, active: true }
    : id === 'LTAIoff'
      ? { secret: 'x', active: false }
      : undefined;
const NOW = Date.UTC(2026, 10, 21, 8, 0, 0, 250);

function parts(url: string) {
  const u = new URL(url);
  return {
    path: u.pathname,
    accessKeyId: u.searchParams.get('AccessKeyId') ?? undefined,
    expires: u.searchParams.get('Expires') ?? undefined,
    signature: u.searchParams.get('Signature') ?? undefined,
  };
}

describe('signed storage URLs', () => {
  it('percent-encodes each object segment per RFC 3986', () => {
    assert.equal(
      canonicalStoragePath('snaps', 'a b/ü~(x)*!.jpg'),
      '/storage/snaps/a%20b/%C3%BC~%28x%29%2A%21.jpg',
    );
  });

  it('signs GET\\n<Expires>\\n<path> with HMAC-SHA1 of the secret', () => {
    const url = signStorageUrl('http://h:8080/', 'snaps', 'live/cam 1.jpg', KEY, 60, NOW);
    const expires = Math.floor(NOW / 1000) + 60;
    const path = '/storage/snaps/live/cam%201.jpg';
    const sig = createHmac('sha1', KEY.accessKeySecret)
      .update(`GET\n${expires}\n${path}`)
      .digest('base64');
    assert.equal(storageStringToSign(expires, path), `GET\n${expires}\n${path}`);
    assert.equal(
      url,
      `http://h:8080${path}?AccessKeyId=LTAIsigner&Expires=${expires}&Signature=${encodeURIComponent(sig)}`,
    );
  });

  it('verifies its own URLs until Expires, inclusive', async () => {
    const url = signStorageUrl('http://h', 'snaps', 'x/y.jpg', KEY, 30, NOW);
    const p = parts(url);
    assert.deepEqual(await verifyStorageSignature(p, lookup, NOW), {
      ok: true,
      accessKeyId: KEY.accessKeyId,
    });
    const expires = Number(p.expires);
    assert.equal((await verifyStorageSignature(p, lookup, expires * 1000 + 999)).ok, true);
    assert.deepEqual(await verifyStorageSignature(p, lookup, expires * 1000 + 1000), {
      ok: false,
      reason: 'expired',
    });
  });

  it('tells each failure apart', async () => {
    const p = parts(signStorageUrl('http://h', 'snaps', 'x/y.jpg', KEY, 30, NOW));
    const reason = async (over: Partial<typeof p>) => {
      const r = await verifyStorageSignature({ ...p, ...over }, lookup, NOW);
      return r.ok ? 'ok' : r.reason;
    };
    assert.equal(await reason({ signature: undefined }), 'incomplete');
    assert.equal(await reason({ accessKeyId: '' }), 'incomplete');
    assert.equal(await reason({ expires: '12x' }), 'malformed-expires');
    assert.equal(await reason({ expires: String(Number(p.expires) + 1) }), 'signature-mismatch');
    assert.equal(await reason({ path: '/storage/snaps/x/z.jpg' }), 'signature-mismatch');
    assert.equal(await reason({ signature: 'AAAA' }), 'signature-mismatch');
    assert.equal(await reason({ accessKeyId: 'LTAInobody' }), 'unknown-key');
    assert.equal(await reason({ accessKeyId: 'LTAIoff' }), 'inactive-key');
    // A '+' of the Base64 signature decoded to a space by a form decoder still matches.
    assert.equal(await reason({ signature: p.signature!.replace(/\+/g, ' ') }), 'ok');
  });

  it('refuses to sign hostile names or a non-positive lifetime', () => {
    assert.throws(() => signStorageUrl('http://h', 'snaps', '../x.jpg', KEY, 30));
    assert.throws(() => signStorageUrl('http://h', 'Bad_Bucket', 'x.jpg', KEY, 30));
    assert.throws(() => signStorageUrl('http://h', 'snaps', 'x.jpg', KEY, 0), RangeError);
  });
});
