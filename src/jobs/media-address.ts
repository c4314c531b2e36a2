import { validateBucketName, validateObjectKey } from '../storage/object-key.js';

/**
 * Media addresses of snapshot jobs (spec §3.0): `oss://bucket/object`,
 * `http(s)://bucket.oss-<region>.aliyuncs.com/object` (the same object, written as an OSS
 * URL), or any other http(s) URL, which FFmpeg reads itself.
 */
export type MediaAddress =
  | { readonly kind: 'oss'; readonly bucket: string; readonly object: string }
  | { readonly kind: 'url'; readonly url: string };

const OSS_SCHEME = 'oss://';
const OSS_HOST =
  /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-[a-z0-9-]+(?:\.internal)?\.aliyuncs\.com$/;
export const MAX_MEDIA_LENGTH = 2048;

/** Parses an address; undefined when it is none of the three forms or names a bad object. */
export function parseMediaAddress(text: string): MediaAddress | undefined {
  if (text.length === 0 || text.length > MAX_MEDIA_LENGTH) return undefined;
  if (text.startsWith(OSS_SCHEME)) {
    const rest = text.slice(OSS_SCHEME.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    return ossAddress(rest.slice(0, slash), rest.slice(slash + 1));
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const bucket = OSS_HOST.exec(url.hostname)?.[1];
  if (bucket) {
    let object: string;
    try {
      object = decodeURIComponent(url.pathname.slice(1));
    } catch {
      return undefined;
    }
    return ossAddress(bucket, object);
  }
  return { kind: 'url', url: url.href };
}

function ossAddress(bucket: string, object: string): MediaAddress | undefined {
  try {
    validateBucketName(bucket);
    validateObjectKey(object);
  } catch {
    return undefined;
  }
  return { kind: 'oss', bucket, object };
}

/** `oss://bucket/object`. */
export function ossUrl(bucket: string, object: string): string {
  return `${OSS_SCHEME}${bucket}/${object}`;
}
