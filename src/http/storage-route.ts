import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api/api-error.js';
import { renderApiError, type RecommendFn } from '../api/error-reply.js';
import type { AccessKeyLookup } from '../api/request-auth.js';
import type { Logger } from '../log.js';
import { validateBucketName, validateObjectKey } from '../storage/object-key.js';
import type { ByteRange, ObjectInfo, ObjectStore } from '../storage/object-store-types.js';
import { ObjectNotFoundError } from '../storage/storage-errors.js';
import {
  canonicalStoragePath,
  SignedUrlParam,
  STORAGE_AUTH_MESSAGES,
  STORAGE_PREFIX,
  verifyStorageSignature,
} from './signed-url.js';

export interface StorageRouteOptions {
  /** The store served; the composition root passes the `local` endpoint's store. */
  store: ObjectStore;
  /** The RPC API's key lookup (catalogAccessKeyLookup), for signed URLs. */
  accessKeys: AccessKeyLookup;
  /** Serve unsigned requests too. */
  publicRead: boolean;
  /** Clock in ms (tests). */
  now?: () => number;
  log?: Logger;
  /** As for the other error envelopes (HttpServerDeps). */
  hostId?: string;
  recommend?: RecommendFn;
}

export interface StoragePath {
  bucket: string;
  key: string;
}

/**
 * `/storage/<bucket>/<object>` (raw, still percent-encoded, no query) → bucket and decoded
 * object key, validated by the storage's own rules: no `.`/`..` segments (also when encoded
 * as `%2e`), no empty segments, no backslash, no control characters (NUL included), so the
 * key can never name a file outside its bucket. Throws InvalidBucketName / InvalidObjectName.
 */
export function parseStoragePath(rawPath: string): StoragePath {
  if (!rawPath.startsWith(STORAGE_PREFIX)) throw new ApiError('InvalidObjectName');
  const rest = rawPath.slice(STORAGE_PREFIX.length);
  const slash = rest.indexOf('/');
  const decode = (s: string, code: 'InvalidBucketName' | 'InvalidObjectName') => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ApiError(code, { message: 'The request path is not valid percent-encoded UTF-8.' });
    }
  };
  const bucket = decode(slash < 0 ? rest : rest.slice(0, slash), 'InvalidBucketName');
  try {
    validateBucketName(bucket);
  } catch (err) {
    throw new ApiError('InvalidBucketName', { cause: err });
  }
  const key = decode(slash < 0 ? '' : rest.slice(slash + 1), 'InvalidObjectName');
  try {
    validateObjectKey(key);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^invalid object key .*?: /, '') : '';
    throw new ApiError('InvalidObjectName', {
      message: `The specified object name is not valid: ${reason}.`,
      cause: err,
    });
  }
  return { bucket, key };
}

/** A weak validator from size and modification time (the store keeps no content hash). */
export function etagOf(info: ObjectInfo): string {
  return `W/"${info.size.toString(16)}-${info.lastModified.getTime().toString(16)}"`;
}

/**
 * One `bytes=` range against an object of `size` bytes: the range, 'unsatisfiable' (416), or
 * undefined when the header is to be ignored (absent, malformed, several ranges; RFC 9110).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): Required<ByteRange> | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? undefined : Number(m[2]);
  if (!Number.isSafeInteger(start) || (last !== undefined && last < start)) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last ?? size - 1, size - 1) };
}

function notModified(request: FastifyRequest, info: ObjectInfo): boolean {
  const inm = request.headers['if-none-match'];
  if (inm !== undefined) {
    const tag = etagOf(info).slice(2);
    return inm.split(',').some((t) => {
      const v = t.trim();
      return v === '*' || v === tag || v === `W/${tag}`;
    });
  }
  const ims = request.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Math.floor(info.lastModified.getTime() / 1000) * 1000 <= since;
}

function objectHeaders(info: ObjectInfo): Record<string, string> {
  return {
    'content-type': info.contentType,
    'last-modified': info.lastModified.toUTCString(),
    etag: etagOf(info),
    'accept-ranges': 'bytes',
    // Overwrite objects change every few seconds: revalidate (cheap with the ETag).
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
  };
}

/**
 * Stored files: `GET` / `HEAD /storage/<bucket>/<object>` from one object store (the `local`
 * endpoint; other endpoints are served by their own storage). Access: a valid signed URL
 * (signed-url.ts), or anonymous when `publicRead` — a request that carries signature
 * parameters is always checked, even then. Answers carry Content-Type, Content-Length,
 * Last-Modified, a weak ETag, and honour If-None-Match / If-Modified-Since (304) and a single
 * `Range` (206 / 416). Errors are the RPC API's JSON envelopes: 400 InvalidBucketName /
 * InvalidObjectName (hostile or malformed paths, checked before anything else), 403 Forbidden
 * (with a message saying why), 404 NoSuchKey (missing object or bucket), 416 InvalidRange.
 */
export const storageRoute: FastifyPluginAsync<StorageRouteOptions> = async (
  app: FastifyInstance,
  opts: StorageRouteOptions,
) => {
  const now = opts.now ?? Date.now;
  const { store } = opts;

  const sendError = (request: FastifyRequest, reply: FastifyReply, err: unknown) => {
    let apiErr: ApiError;
    if (err instanceof ApiError) apiErr = err;
    else if (err instanceof ObjectNotFoundError) apiErr = new ApiError('NoSuchKey');
    else {
      opts.log?.error({ err, url: request.url }, 'storage request failed');
      apiErr = new ApiError('InternalError', { cause: err });
    }
    const r = renderApiError(apiErr, {
      host: request.headers.host,
      hostId: opts.hostId,
      recommend: opts.recommend,
    });
    return reply.code(r.status).header('content-type', r.contentType).send(r.body);
  };

  const authorize = async (path: StoragePath, query: URLSearchParams): Promise<void> => {
    const accessKeyId = query.get(SignedUrlParam.AccessKeyId) ?? undefined;
    const expires = query.get(SignedUrlParam.Expires) ?? undefined;
    const signature = query.get(SignedUrlParam.Signature) ?? undefined;
    if (accessKeyId === undefined && expires === undefined && signature === undefined) {
      if (opts.publicRead) return;
      throw new ApiError('Forbidden', {
        message:
          'Anonymous access is not allowed: use a signed URL (AccessKeyId, Expires, Signature).',
      });
    }
    const result = await verifyStorageSignature(
      { path: canonicalStoragePath(path.bucket, path.key), accessKeyId, expires, signature },
      opts.accessKeys,
      now(),
    );
    if (!result.ok)
      throw new ApiError('Forbidden', { message: STORAGE_AUTH_MESSAGES[result.reason] });
  };

  const head = async (path: StoragePath): Promise<ObjectInfo> => {
    const info = await store.head(path.bucket, path.key);
    if (!info) throw new ApiError('NoSuchKey');
    return info;
  };

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.raw.url ?? '/';
    const q = raw.indexOf('?');
    const path = parseStoragePath(q < 0 ? raw : raw.slice(0, q));
    await authorize(path, new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)));

    if (request.method === 'HEAD') {
      const info = await head(path);
      if (notModified(request, info)) return reply.code(304).headers(objectHeaders(info)).send();
      return reply.headers(objectHeaders(info)).header('content-length', String(info.size)).send();
    }

    const rangeHeader = request.headers.range;
    const ifRange = request.headers['if-range'];
    if (rangeHeader !== undefined) {
      const info = await head(path);
      if (notModified(request, info)) return reply.code(304).headers(objectHeaders(info)).send();
      const range =
        ifRange === undefined || ifRange === etagOf(info)
          ? parseRange(rangeHeader, info.size)
          : undefined;
      if (range === 'unsatisfiable') {
        void reply.header('content-range', `bytes */${info.size}`);
        throw new ApiError('InvalidRange', {
          message: `The requested range cannot be satisfied: the object has ${info.size} bytes.`,
        });
      }
      if (range !== undefined) {
        let s;
        try {
          s = await store.getStream(path.bucket, path.key, range);
        } catch (err) {
          // The object shrank since head().
          if (err instanceof RangeError) throw new ApiError('InvalidRange', { cause: err });
          throw err;
        }
        const end = Math.min(range.end, s.size - 1);
        return reply
          .code(206)
          .headers(objectHeaders(s))
          .header('content-range', `bytes ${range.start}-${end}/${s.size}`)
          .header('content-length', String(end - range.start + 1))
          .send(s.stream);
      }
    }

    const s = await store.getStream(path.bucket, path.key);
    if (notModified(request, s)) {
      s.stream.destroy();
      return reply.code(304).headers(objectHeaders(s)).send();
    }
    return reply.headers(objectHeaders(s)).header('content-length', String(s.size)).send(s.stream);
  };

  app.route({
    method: ['GET', 'HEAD'],
    url: `${STORAGE_PREFIX}*`,
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      try {
        return await serve(request, reply);
      } catch (err) {
        return sendError(request, reply, err);
      }
    },
  });
};
