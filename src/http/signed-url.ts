import { createHmac } from 'node:crypto';
import type { AccessKeyLookup } from '../api/request-auth.js';
import { percentEncode, signaturesEqual } from '../api/signature.js';
import { validateBucketName, validateObjectKey } from '../storage/object-key.js';

/**
 * Time-limited signed URLs for stored files, in the manner of OSS v1 query-string signing:
 *
 *   /storage/<bucket>/<object>?AccessKeyId=<id>&Expires=<unix s>&Signature=<sig>
 *   sig = Base64(HMAC-SHA1(key = AccessKeySecret, "GET\n" + Expires + "\n" + <path>))
 *
 * `<path>` is the canonical path `/storage/<bucket>/<object>` with every '/'-separated
 * segment of the object percent-encoded per RFC 3986 (unreserved `A–Z a–z 0–9 - _ . ~` kept,
 * everything else `%XY`, uppercase hex: the same encoder as the RPC signature). The server
 * decodes the requested path and re-encodes it this way before verifying, so a client that
 * re-encodes the URL differently (`%7E` for `~`, lowercase hex, `%2F` for `/`) still matches.
 * The signature covers GET; a HEAD request with the same URL is accepted too (it reveals less).
 */

export const STORAGE_PREFIX = '/storage/';
export const SignedUrlParam = {
  AccessKeyId: 'AccessKeyId',
  Expires: 'Expires',
  Signature: 'Signature',
} as const;

export interface SigningKey {
  accessKeyId: string;
  accessKeySecret: string;
}

/** `/storage/<bucket>/<object>` with the object's segments percent-encoded (RFC 3986). */
export function canonicalStoragePath(bucket: string, object: string): string {
  return `${STORAGE_PREFIX}${percentEncode(bucket)}/${object.split('/').map(percentEncode).join('/')}`;
}

export function storageStringToSign(expires: number, path: string): string {
  return `GET\n${expires}\n${path}`;
}

export function storageSignature(secret: string, expires: number, path: string): string {
  return createHmac('sha1', secret)
    .update(storageStringToSign(expires, path), 'utf8')
    .digest('base64');
}

/**
 * A URL for `object` of `bucket` valid for `expiresInSec` seconds from `nowMs`. `base` is the
 * public base URL (e.g. LIVESNAP_PUBLIC_URL); a trailing '/' is ignored. Throws for an invalid
 * bucket or object name, or a non-positive lifetime.
 */
export function signStorageUrl(
  base: string,
  bucket: string,
  object: string,
  key: SigningKey,
  expiresInSec: number,
  nowMs: number = Date.now(),
): string {
  validateBucketName(bucket);
  validateObjectKey(object);
  if (!(expiresInSec > 0) || !Number.isFinite(expiresInSec)) {
    throw new RangeError(`expiresInSec must be a positive number, got ${expiresInSec}`);
  }
  const expires = Math.floor(nowMs / 1000) + Math.ceil(expiresInSec);
  const path = canonicalStoragePath(bucket, object);
  const signature = storageSignature(key.accessKeySecret, expires, path);
  const query =
    `${SignedUrlParam.AccessKeyId}=${percentEncode(key.accessKeyId)}` +
    `&${SignedUrlParam.Expires}=${expires}` +
    `&${SignedUrlParam.Signature}=${percentEncode(signature)}`;
  return `${base.replace(/\/+$/, '')}${path}?${query}`;
}

/** Why a signed request was refused; each has its own message. */
export type StorageAuthFailure =
  | 'incomplete'
  | 'malformed-expires'
  | 'expired'
  | 'unknown-key'
  | 'inactive-key'
  | 'signature-mismatch';

export const STORAGE_AUTH_MESSAGES: Readonly<Record<StorageAuthFailure, string>> = {
  incomplete: 'The signed URL is incomplete: AccessKeyId, Expires and Signature are all required.',
  'malformed-expires': 'The signed URL is not valid: Expires must be a Unix time in seconds.',
  expired: 'The signed URL has expired.',
  'unknown-key': 'The signed URL is not valid: its AccessKeyId is not found.',
  'inactive-key': 'The signed URL is not valid: its AccessKeyId is disabled.',
  'signature-mismatch': 'The signed URL is not valid: the signature does not match.',
};

export type StorageAuthResult =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly reason: StorageAuthFailure };

export interface SignedRequest {
  /** canonicalStoragePath() of the requested object. */
  readonly path: string;
  readonly accessKeyId?: string;
  readonly expires?: string;
  readonly signature?: string;
}

/**
 * Checks a signed request: all three parameters, Expires not past (`now` ≤ Expires), an active
 * key, and the signature (constant-time). A `+` turned into a space by form decoding is
 * restored (Base64 has no spaces).
 */
export async function verifyStorageSignature(
  req: SignedRequest,
  lookup: AccessKeyLookup,
  nowMs: number,
): Promise<StorageAuthResult> {
  const fail = (reason: StorageAuthFailure): StorageAuthResult => ({ ok: false, reason });
  const { accessKeyId, expires, signature } = req;
  if (!accessKeyId || !expires || !signature) return fail('incomplete');
  if (!/^\d{1,12}$/.test(expires)) return fail('malformed-expires');
  const expiresSec = Number(expires);
  if (Math.floor(nowMs / 1000) > expiresSec) return fail('expired');
  const key = accessKeyId.length <= 128 ? await lookup(accessKeyId) : undefined;
  if (!key) return fail('unknown-key');
  if (!key.active) return fail('inactive-key');
  const expected = storageSignature(key.secret, expiresSec, req.path);
  if (!signaturesEqual(expected, signature.replace(/ /g, '+'))) return fail('signature-mismatch');
  return { ok: true, accessKeyId };
}
