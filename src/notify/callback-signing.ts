import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Callback signing (spec §2.10): when the domain has callback auth, every request carries
 *
 *   ALI-LIVE-TIMESTAMP: <Unix seconds when sent>
 *   ALI-LIVE-SIGNATURE: md5_hex(<callback host> + "|" + <timestamp> + "|" + <auth key>)
 *
 * where <callback host> is the host name of the callback URL only (no scheme, port or path).
 * The key itself never leaves livesnap.
 */

export const SignatureHeader = {
  Timestamp: 'ALI-LIVE-TIMESTAMP',
  Signature: 'ALI-LIVE-SIGNATURE',
} as const;

/** 32-char lowercase hex MD5 of `host|timestamp|key`. */
export function callbackSignature(host: string, timestampSec: number, key: string): string {
  return createHash('md5').update(`${host}|${timestampSec}|${key}`, 'utf8').digest('hex');
}

/** The host part a signature covers: the URL's host name, lower case, without port. */
export function signedHost(url: string): string {
  return new URL(url).hostname;
}

/** The two signing headers for a request to `url` sent at `nowMs`. */
export function signingHeaders(url: string, key: string, nowMs: number): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    [SignatureHeader.Timestamp]: String(timestamp),
    [SignatureHeader.Signature]: callbackSignature(signedHost(url), timestamp, key),
  };
}

/**
 * The receiver's check (used by tests and documented for receivers): the signature matches
 * and the timestamp is within `toleranceSec` of `nowMs`.
 */
export function verifyCallbackSignature(opts: {
  host: string;
  timestamp: string | undefined;
  signature: string | undefined;
  key: string;
  nowMs: number;
  toleranceSec: number;
}): boolean {
  const { timestamp, signature } = opts;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) {
    return false;
  }
  const ts = Number(timestamp);
  if (Math.abs(opts.nowMs / 1000 - ts) > opts.toleranceSec) return false;
  const expected = Buffer.from(callbackSignature(opts.host, ts, opts.key));
  const got = Buffer.from(signature.toLowerCase());
  return got.length === expected.length && timingSafeEqual(got, expected);
}
