import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log.js';

/** Where the console is served. */
export const CONSOLE_PREFIX = '/console/';

/** The console's build output (`vite build -c web/vite.config.ts`), from src/http or dist/http. */
export const DEFAULT_CONSOLE_DIR = resolve(import.meta.dirname, '../../web/dist');

export interface ConsoleRouteOptions {
  /** Directory of the built console (index.html, assets/); default DEFAULT_CONSOLE_DIR. */
  dir?: string;
  log?: Logger;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Hashed build output (`assets/<name>-<hash>.<ext>`) never changes under its name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and unhashed files: always revalidate (cheap with ETag / Last-Modified). */
const REVALIDATE = 'no-cache';

/**
 * The console may only talk to this server; images may come from the public URL, which can
 * be another origin (LIVESNAP_PUBLIC_URL).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: http: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': CONTENT_SECURITY_POLICY,
} as const;

/** The app's pages: `/console/<route>` with one segment of letters, digits and `-`. */
const SPA_ROUTE = /^[a-z0-9-]+$/i;

export type ConsolePath =
  | { kind: 'index' }
  | { kind: 'file'; path: string }
  | { kind: 'route'; name: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'invalid' };

/**
 * Classifies the raw (still percent-encoded) path after `/console/`: the index, a file of
 * the build (relative path, checked: no `.`/`..`/empty segments, also when encoded, no
 * backslash or control characters), an SPA route, a redirect (trailing slash), or invalid.
 */
export function classifyConsolePath(rawRest: string): ConsolePath {
  if (rawRest === '') return { kind: 'index' };
  let rest: string;
  try {
    rest = decodeURIComponent(rawRest);
  } catch {
    return { kind: 'invalid' };
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(rest)) return { kind: 'invalid' };
  const trimmed = rest.endsWith('/') ? rest.slice(0, -1) : rest;
  const segments = trimmed.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return { kind: 'invalid' };
  if (segments.length === 1 && SPA_ROUTE.test(trimmed)) {
    return rest.endsWith('/')
      ? { kind: 'redirect', location: `${CONSOLE_PREFIX}${trimmed}` }
      : { kind: 'route', name: trimmed };
  }
  if (rest.endsWith('/')) return { kind: 'invalid' };
  return { kind: 'file', path: rest };
}

function etag(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

function notModified(request: FastifyRequest, tag: string, mtimeMs: number): boolean {
  const inm = request.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim() === tag || t.trim() === '*');
  const ims = request.headers['if-modified-since'];
  const since = ims === undefined ? NaN : Date.parse(ims);
  return Number.isFinite(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A small self-contained page (no scripts) for "not built" and "not found". */
export function messagePage(title: string, paragraphs: string[]): string {
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · livesnap</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1f24;background:#fff}code{background:#eef1f4;padding:.1em .3em;border-radius:3px}a{color:#0b5cad}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

const NOT_BUILT = messagePage('The console is not built', [
  'This livesnap serves the RPC API, but the web console has not been built.',
  'Build it with <code>npm run build:console</code> (or <code>npm install</code>, which builds ' +
    'everything), then reload this page. Starting with <code>npm start</code> builds it too.',
]);

const NOT_FOUND = messagePage('Not found', [
  'There is no such page or file in the console.',
  '<a href="/console/">Open the console</a>',
]);

/** Message pages have no scripts; their one inline <style> needs 'unsafe-inline'. */
const MESSAGE_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/**
 * The web console at `/console/`: the built files of `web/` with correct content types,
 * `immutable` caching for hashed assets and revalidation (ETag, Last-Modified, 304) for the
 * rest; `index.html` for the app's routes (`/console/settings`…); `/console` → `/console/`.
 * Paths are checked before touching the disk, and a resolved path must stay inside the
 * build directory. When the console is not built, every page is a 503 message saying how
 * to build it.
 */
export const consoleRoute: FastifyPluginAsync<ConsoleRouteOptions> = async (
  app: FastifyInstance,
  opts: ConsoleRouteOptions,
) => {
  const root = resolve(opts.dir ?? DEFAULT_CONSOLE_DIR);

  const sendPage = (reply: FastifyReply, status: number, html: string) =>
    reply
      .code(status)
      .headers({ ...COMMON_HEADERS, 'content-security-policy': MESSAGE_PAGE_CSP })
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);

  /** Regular file inside root, or undefined. */
  const find = async (relative: string) => {
    const file = join(root, relative);
    if (!file.startsWith(root + sep)) return undefined;
    try {
      const st = await stat(file);
      return st.isFile() ? { file, size: st.size, mtimeMs: st.mtimeMs } : undefined;
    } catch {
      return undefined;
    }
  };

  const sendFile = async (
    request: FastifyRequest,
    reply: FastifyReply,
    relative: string,
    cacheControl: string,
  ) => {
    const found = await find(relative);
    if (!found) return false;
    const tag = etag(found.size, found.mtimeMs);
    const type = CONTENT_TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    void reply
      .headers(COMMON_HEADERS)
      .header('content-type', type)
      .header('cache-control', cacheControl)
      .header('etag', tag)
      .header('last-modified', new Date(found.mtimeMs).toUTCString());
    if (notModified(request, tag, found.mtimeMs)) {
      await reply.code(304).send();
      return true;
    }
    void reply.header('content-length', String(found.size));
    if (request.method === 'HEAD') await reply.send();
    else await reply.send(createReadStream(found.file));
    return true;
  };

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = q < 0 ? '' : raw.slice(q);
    if (path === '/console') return reply.redirect(`${CONSOLE_PREFIX}${query}`, 308);

    const target = classifyConsolePath(path.slice(CONSOLE_PREFIX.length));
    if (target.kind === 'redirect') return reply.redirect(`${target.location}${query}`, 308);
    if (!(await find('index.html'))) return sendPage(reply, 503, NOT_BUILT);
    switch (target.kind) {
      case 'index':
      case 'route':
        if (await sendFile(request, reply, 'index.html', REVALIDATE)) return reply;
        return sendPage(reply, 503, NOT_BUILT);
      case 'file': {
        const cache = target.path.startsWith('assets/') ? IMMUTABLE : REVALIDATE;
        if (await sendFile(request, reply, target.path, cache)) return reply;
        return sendPage(reply, 404, NOT_FOUND);
      }
      default:
        return sendPage(reply, 404, NOT_FOUND);
    }
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await serve(request, reply);
    } catch (err) {
      opts.log?.error({ err, url: request.url }, 'console request failed');
      return sendPage(reply, 500, messagePage('Console error', ['The file could not be read.']));
    }
  };
  app.route({ method: ['GET', 'HEAD'], url: '/console', exposeHeadRoute: false, handler });
  app.route({
    method: ['GET', 'HEAD'],
    url: `${CONSOLE_PREFIX}*`,
    exposeHeadRoute: false,
    handler,
  });
};
