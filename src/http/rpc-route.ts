import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RpcService } from '../api/rpc-service.js';

export interface RpcRouteOptions {
  rpc: RpcService;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
}

/** Every method: non-GET/POST are answered by the RPC layer with UnsupportedHTTPMethod. */
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

/**
 * The RPC endpoint `/` (spec §1.1). Runs in its own encapsulated context: the body is
 * taken raw (any content type, up to `bodyLimit`) and handed, with the raw query string,
 * to the RPC service, which decodes, merges, verifies and answers. Parser errors in this
 * context reach the server's JSON error handler.
 */
export const rpcRoute: FastifyPluginAsync<RpcRouteOptions> = async (
  app: FastifyInstance,
  opts: RpcRouteOptions,
) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: opts.bodyLimit },
    (_req, body, done) => done(null, body),
  );

  app.route({
    method: METHODS,
    url: '/',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const url = request.raw.url ?? '/';
      const q = url.indexOf('?');
      const result = await opts.rpc.handle({
        method: request.method,
        query: q < 0 ? '' : url.slice(q + 1),
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
        contentType: request.headers['content-type'],
        host: request.headers.host,
      });
      return reply.code(result.status).header('content-type', result.contentType).send(result.body);
    },
  });
};
