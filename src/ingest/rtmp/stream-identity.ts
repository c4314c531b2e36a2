import type { StreamKey } from '../../stream/stream-types.js';

/**
 * Stream identity (DESIGN.md §3), pure. App from connect's `app`, stream from the publish
 * name, both without their query; domain from the `vhost` (or `domain`) query parameter of
 * the publish name, the app or the tcUrl, else the host name of the tcUrl.
 */

export interface StreamIdentity {
  readonly key: StreamKey;
  /** Query parameters of tcUrl, app and publish name, merged (later wins). */
  readonly query: Readonly<Record<string, string>>;
}

export type IdentityResult =
  ({ readonly ok: true } & StreamIdentity) | { readonly ok: false; readonly reason: string };

export const MAX_APP_LENGTH = 128;
export const MAX_STREAM_LENGTH = 256;
export const MAX_DOMAIN_LENGTH = 253;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const DOMAIN_CHARS = /^[a-z0-9:]([a-z0-9._:-]*[a-z0-9])?$/;

function splitQuery(s: string): { path: string; query: URLSearchParams } {
  const i = s.indexOf('?');
  return i < 0
    ? { path: s, query: new URLSearchParams() }
    : { path: s.slice(0, i), query: new URLSearchParams(s.slice(i + 1)) };
}

function badSegment(seg: string): boolean {
  return seg === '' || seg === '.' || seg === '..';
}

function checkName(what: string, name: string, max: number): string | undefined {
  if (name.length === 0) return `empty ${what} name`;
  if (name.length > max) return `${what} name longer than ${max} characters`;
  if (CONTROL_CHARS.test(name)) return `${what} name contains control characters`;
  if (name.includes('\\')) return `${what} name contains a backslash`;
  return undefined;
}

function tcUrlHost(tcUrl: string): string | undefined {
  try {
    const host = new URL(tcUrl).hostname;
    return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  } catch {
    return undefined;
  }
}

export function streamIdentity(
  connect: {
    readonly app: string;
    readonly tcUrl: string;
  },
  publishName: string,
): IdentityResult {
  const tc = splitQuery(connect.tcUrl);
  const app = splitQuery(connect.app);
  const name = splitQuery(publishName);

  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const q of [tc.query, app.query, name.query]) {
    for (const [k, v] of q) query[k] = v;
  }

  const appName = app.path.replace(/^\/+|\/+$/g, '');
  const appError = checkName('app', appName, MAX_APP_LENGTH);
  if (appError) return { ok: false, reason: appError };
  if (appName.split('/').some(badSegment)) {
    return { ok: false, reason: 'app name has an empty, "." or ".." segment' };
  }

  const streamName = name.path;
  const streamError = checkName('stream', streamName, MAX_STREAM_LENGTH);
  if (streamError) return { ok: false, reason: streamError };
  if (streamName.includes('/')) return { ok: false, reason: 'stream name contains "/"' };
  if (badSegment(streamName)) return { ok: false, reason: `stream name "${streamName}"` };

  const fromQuery = query['vhost'] ?? query['domain'];
  const domain = (fromQuery || tcUrlHost(connect.tcUrl) || '').toLowerCase();
  if (domain === '')
    return { ok: false, reason: 'no domain: tcUrl has no host and no vhost given' };
  if (domain.length > MAX_DOMAIN_LENGTH || !DOMAIN_CHARS.test(domain)) {
    return { ok: false, reason: `invalid domain "${domain.slice(0, 64)}"` };
  }

  return { ok: true, key: { domain, app: appName, stream: streamName }, query: { ...query } };
}
