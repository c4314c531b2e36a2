import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signature version 1.0 constants (spec §1.2, §1.4). */
export const SignatureMethod = { HmacSha1: 'HMAC-SHA1' } as const;
export const SignatureVersion = { V1: '1.0' } as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Percent-encoding of spec §1.4: UTF-8 bytes; `A–Z a–z 0–9 - _ . ~` stay; everything else
 * `%XY` with uppercase hex (space → `%20`, `*` → `%2A`). Lone surrogates cannot be UTF-8
 * encoded; they are replaced by U+FFFD first so this never throws.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD')).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** Sorted (by name, code-unit order) `name=value` pairs joined with `&`; `Signature` excluded. */
export function canonicalizedQueryString(params: Iterable<readonly [string, string]>): string {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of params) {
    if (name !== 'Signature') pairs.push([percentEncode(name), percentEncode(value)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** `METHOD&%2F&percentEncode(CanonicalizedQueryString)`. */
export function stringToSign(method: string, params: Iterable<readonly [string, string]>): string {
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalizedQueryString(params))}`;
}

/** Base64 HMAC-SHA1 with key `secret + "&"`. */
export function computeSignature(secret: string, toSign: string): string {
  return createHmac('sha1', `${secret}&`).update(toSign, 'utf8').digest('base64');
}

/** Signs a parameter set exactly as a v1 client does. */
export function signParams(
  method: string,
  params: Iterable<readonly [string, string]>,
  secret: string,
): string {
  return computeSignature(secret, stringToSign(method, params));
}

/** Constant-time comparison of two signatures (length leaks nothing useful). */
export function signaturesEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
