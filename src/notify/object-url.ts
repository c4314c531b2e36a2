/**
 * The `Url` of a snapshot callback: where the receiver can fetch the object. The
 * composition root may pass a signer (time-limited URLs); the default is the plain
 * `<public URL>/storage/<bucket>/<object>` with each path segment percent-encoded.
 * It is computed again at every attempt, so a signed URL is fresh when it arrives.
 */
export type ObjectUrl = (endpoint: string, bucket: string, object: string) => string;

/** `${base()}/storage/<bucket>/<object>`; `base` is read at call time (the port may be 0 first). */
export function plainObjectUrl(base: () => string): ObjectUrl {
  return (_endpoint, bucket, object) => {
    const path = [bucket, ...object.split('/')].map(encodeURIComponent).join('/');
    return `${base().replace(/\/+$/, '')}/storage/${path}`;
  };
}
