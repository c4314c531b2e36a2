import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

export interface MetricsRouteOptions {
  /** Prometheus exposition (prom-client's Registry fits: `metrics()` / `contentType`). */
  metrics: { text(): Promise<string>; readonly contentType: string };
}

/** `GET /metrics`: the Prometheus text exposition (HEAD is answered by Fastify). */
export const metricsRoute: FastifyPluginAsync<MetricsRouteOptions> = async (
  app: FastifyInstance,
  opts: MetricsRouteOptions,
) => {
  app.get('/metrics', async (_request, reply) => {
    const body = await opts.metrics.text();
    return reply
      .header('content-type', opts.metrics.contentType)
      .header('cache-control', 'no-store')
      .send(body);
  });
};
