import { base64, hmacSha1 } from './hmac-sha1.js';

/**
 * Signature version 1.0 (HMAC-SHA1) exactly as spec §1.4 and pop-core do it: percent-encode
 * names and values (RFC 3986 unreserved kept, uppercase hex), sort by name, join, build
 * `METHOD&%2F&percentEncode(query)`, HMAC-SHA1 with key `secret + "&"`, Base64.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function percentEncode(value: string): string {
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD')).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** Sorted `name=value` pairs (code-unit order of the encoded names), `Signature` excluded. */
export function canonicalizedQueryString(params: Iterable<readonly [string, string]>): string {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of params) {
    if (name !== 'Signature') pairs.push([percentEncode(name), percentEncode(value)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

export function stringToSign(method: string, params: Iterable<readonly [string, string]>): string {
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalizedQueryString(params))}`;
}

/** The part of Web Crypto the signer uses (absent outside secure contexts). */
export interface HmacSubtle {
  importKey(
    format: 'raw',
    keyData: Uint8Array<ArrayBuffer>,
    algorithm: { name: 'HMAC'; hash: 'SHA-1' },
    extractable: false,
    usages: ['sign'],
  ): Promise<unknown>;
  sign(algorithm: 'HMAC', key: never, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
}

/** Base64 HMAC-SHA1 of a text with one fixed secret. */
export type Signer = (text: string) => Promise<string>;

/** Which implementation a signer uses (shown on the sign-in page's details). */
export type SignerKind = 'web-crypto' | 'fallback';

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text.replace(LONE_SURROGATE, '\uFFFD'));
}

/** Web Crypto when `subtle` is there, else the plain TypeScript HMAC-SHA1. */
export function defaultSubtle(): HmacSubtle | undefined {
  const c = (globalThis as { crypto?: { subtle?: unknown } }).crypto;
  return c?.subtle ? (c.subtle as HmacSubtle) : undefined;
}

/**
 * A signer for `secret` (signature key `secret + "&"`). With `subtle` (default: Web Crypto
 * when available; `null` forces the fallback) the key is imported once, non-extractable; if Web Crypto refuses, or is
 * missing, the fallback computes the same digest in TypeScript.
 */
export function createSigner(
  secret: string,
  subtle: HmacSubtle | null = defaultSubtle() ?? null,
): { sign: Signer; kind: SignerKind } {
  const keyBytes = utf8(`${secret}&`);
  const fallback: Signer = async (text) => base64(hmacSha1(keyBytes, utf8(text)));
  if (!subtle) return { sign: fallback, kind: 'fallback' };
  const key = subtle
    .importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign'])
    .catch(() => undefined);
  const sign: Signer = async (text) => {
    const k = await key;
    if (k === undefined) return fallback(text);
    const mac = await subtle.sign('HMAC', k as never, utf8(text));
    return base64(new Uint8Array(mac));
  };
  return { sign, kind: 'web-crypto' };
}
