const TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  vtt: 'text/vtt',
  json: 'application/json',
  txt: 'text/plain',
  mp4: 'video/mp4',
  flv: 'video/x-flv',
};

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** MIME type of an object from its key's extension (stores that keep no metadata use this). */
export function contentTypeFor(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return DEFAULT_CONTENT_TYPE;
  return TYPES[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
