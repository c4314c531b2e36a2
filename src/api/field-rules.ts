/**
 * Syntax of the Live snapshot fields (spec §2.1, §2.7), as pure predicates. The actions
 * map a failed predicate to the field's error code.
 */

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

/** Host-name syntax (RFC 1123 labels, ≤ 253 chars, case-insensitive); `localhost` is fine. */
export const DOMAIN_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`, 'i');

/** App names: ≤ 255; letters, digits, `-`, `_`; not starting with `-` or `_`; or `*`. */
export const APP_NAME = /^(?:\*|[A-Za-z0-9][A-Za-z0-9_-]{0,254})$/;

/** OSS bucket names: 3–63 lowercase letters, digits and `-`, starting and ending alnum. */
export const OSS_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** NotifyAuthKey / CallbackAuthKey when signing is on: 16–32 letters and digits. */
export const AUTH_KEY = /^[A-Za-z0-9]{16,32}$/;

export const MAX_URL_LENGTH = 500;

/** An absolute http(s) URL of at most 500 characters, with a host. */
export function isCallbackUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
