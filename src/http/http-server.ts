import type { AddressInfo } from 'node:net';
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ApiError } from '../api/api-error.js';
import type { ApiErrorKey } from '../api/error-codes.js';
import { renderApiError, type RecommendFn } from '../api/error-reply.js';
import type { RpcService } from '../api/rpc-service.js';
import type { Logger } from '../log.js';
import { rpcRoute } from './rpc-route.js';

/** Default request-body limit (form bodies of the RPC API are small). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface HttpServerDeps {
  log: Logger;
  /** Serves the RPC API at `/` when given. */
  rpc?: RpcService;
  bodyLimit?: number;
  /** `/healthz` answers 503 when this returns false. */
  health?: () => boolean | Promise<boolean>;
  /** For error envelopes produced outside the RPC service (404, parser errors). */
  hostId?: string;
  recommend?: RecommendFn;
}

type Envelope = { status: number; contentType: string; body: string };

/**
 * Builds the HTTP app without listening (tests use `inject()`): `/healthz`, the RPC
 * route `/`, and JSON error envelopes for everything that goes wrong (unknown path, body
 * too large, bad URL, malformed HTTP). Register more routes (`/storage`, `/metrics`,
 * `/console`) with `app.register(plugin)` before listening; an encapsulated plugin may set
 * its own not-found and error handlers.
 */
export function buildHttpServer(deps: HttpServerDeps): FastifyInstance {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const render = (err: ApiError, host?: string): Envelope =>
    renderApiError(err, { host, hostId: deps.hostId, recommend: deps.recommend });

  const app = Fastify({
    logger: false,
    bodyLimit,
    requestTimeout: 60_000,
    clientErrorHandler: (err, socket) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ECONNRESET' || code === 'EPIPE' || socket.destroyed || !socket.writable) {
        socket.destroy();
        return;
      }
      const key: ApiErrorKey =
        code === 'HPE_HEADER_OVERFLOW'
          ? 'RequestHeaderFieldsTooLarge'
          : code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? 'RequestTimeout'
            : 'BadRequest';
      const r = render(new ApiError(key));
      socket.end(
        `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? 'Error'}\r\n` +
          `Content-Type: ${r.contentType}\r\nContent-Length: ${Buffer.byteLength(r.body)}\r\n` +
          `Connection: close\r\n\r\n${r.body}`,
      );
    },
    frameworkErrors: (error, request, reply) => {
      const r = render(
        new ApiError('InvalidParameter', { message: error.message }),
        request.headers.host,
      );
      void (reply as FastifyReply)
        .code(r.status)
        .header('content-type', r.contentType)
        .send(r.body);
    },
  });

  app.setNotFoundHandler((request, reply) => {
    const r = render(new ApiError('InvalidApi.NotFound'), request.headers.host);
    return reply.code(r.status).header('content-type', r.contentType).send(r.body);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const r = render(toApiError(error, bodyLimit), request.headers.host);
    if (r.status >= 500) deps.log.error({ err: error, url: request.url }, 'http request failed');
    return reply.code(r.status).header('content-type', r.contentType).send(r.body);
  });

  app.get('/healthz', async (_request, reply) => {
    const ok = deps.health ? await deps.health() : true;
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable' });
  });

  if (deps.rpc) void app.register(rpcRoute, { rpc: deps.rpc, bodyLimit });
  return app;
}

function toApiError(error: FastifyError, bodyLimit: number): ApiError {
  if (error instanceof ApiError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('RequestEntityTooLarge', { args: [String(bodyLimit)], cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UnsupportedMediaType', { cause: error });
    default:
      break;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new ApiError(
      { code: 'InvalidParameter', status, message: error.message },
      { cause: error },
    );
  }
  return new ApiError('InternalError', { cause: error });
}

export interface HttpServerOptions extends HttpServerDeps {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

/** The HTTP app with a lifecycle: `start()` listens, `close()` stops and drops connections. */
export class HttpServer {
  readonly app: FastifyInstance;
  private listening = false;

  constructor(private readonly opts: HttpServerOptions) {
    this.app = buildHttpServer(opts);
  }

  async start(): Promise<{ port: number; url: string }> {
    await this.app.listen({ host: this.opts.host, port: this.opts.port });
    this.listening = true;
    const { port } = this.app.server.address() as AddressInfo;
    const host =
      this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.opts.log.info({ url }, 'http listening');
    return { port, url };
  }

  /** Stops accepting, closes idle keep-alive connections, lets requests in flight finish
   *  for up to `drainMs`, then drops whatever is left. */
  async close(drainMs = 5000): Promise<void> {
    const wasListening = this.listening;
    this.listening = false;
    const timer = wasListening
      ? setTimeout(() => this.app.server.closeAllConnections(), drainMs)
      : undefined;
    try {
      await this.app.close();
    } finally {
      clearTimeout(timer);
    }
  }
}
