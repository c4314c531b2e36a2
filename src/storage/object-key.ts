import { InvalidBucketNameError, InvalidObjectKeyError } from './storage-errors.js';

/** Longest object key, in UTF-8 bytes (the S3 / OSS limit). */
export const MAX_KEY_BYTES = 1024;
/** Longest path segment, in UTF-8 bytes (NAME_MAX of common file systems). */
export const MAX_SEGMENT_BYTES = 255;
/**
 * Segments starting with this are reserved for a store's in-flight temporary files: no key
 * may use it, so temporaries can never be read, listed or overwritten as objects.
 */
export const RESERVED_SEGMENT_PREFIX = '.lstmp-';

const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
// C0 and C1 control characters and DEL.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Throws InvalidBucketNameError unless `bucket` is 3–63 of a-z 0-9 '-', alnum at both ends. */
export function validateBucketName(bucket: string): void {
  if (typeof bucket !== 'string' || !BUCKET.test(bucket)) {
    throw new InvalidBucketNameError(
      String(bucket),
      '3–63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit',
    );
  }
}

/**
 * Throws InvalidObjectKeyError unless `key` is a safe relative object path: non-empty, at most
 * 1024 UTF-8 bytes, '/'-separated segments that are non-empty, not "." or "..", at most 255
 * bytes and not reserved; no leading or trailing '/', no backslash, no control characters, no
 * unpaired UTF-16 surrogates. Such a key maps to a path inside its bucket on every store.
 */
export function validateObjectKey(key: string): void {
  const bad = (reason: string) => new InvalidObjectKeyError(String(key), reason);
  if (typeof key !== 'string' || key.length === 0) throw bad('empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    throw bad(`longer than ${MAX_KEY_BYTES} bytes`);
  if (CONTROL.test(key)) throw bad('control characters are not allowed');
  if (key.includes('\\')) throw bad('backslashes are not allowed');
  if (LONE_SURROGATE.test(key)) throw bad('not valid Unicode');
  if (key.startsWith('/')) throw bad('absolute paths are not allowed');
  if (key.endsWith('/')) throw bad('must not end with "/"');
  for (const segment of key.split('/')) {
    if (segment === '') throw bad('empty path segment ("//")');
    if (segment === '.' || segment === '..') throw bad('"." and ".." segments are not allowed');
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      throw bad(`a path segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    if (segment.startsWith(RESERVED_SEGMENT_PREFIX)) {
      throw bad(`segments starting with "${RESERVED_SEGMENT_PREFIX}" are reserved`);
    }
  }
}

/** Compare keys by their UTF-8 bytes: the order S3 lists in. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
