import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus metrics, one registry per App (no globals, so tests can run
 * several apps in one process). Served at /metrics.
 */
export class Metrics {
  readonly registry = new Registry();

  /** Read at scrape time; the composition root points them at the live components. */
  readonly sources = { rtmpConnections: () => 0, liveStreams: () => 0 };

  readonly rtmpConnections: Gauge = new Gauge({
    name: 'livesnap_rtmp_connections',
    help: 'Open RTMP/RTMPS connections',
    registers: [this.registry],
    collect: (): void => this.rtmpConnections.set(this.sources.rtmpConnections()),
  });
  readonly liveStreams: Gauge = new Gauge({
    name: 'livesnap_live_streams',
    help: 'Streams being published now',
    registers: [this.registry],
    collect: (): void => this.liveStreams.set(this.sources.liveStreams()),
  });
  readonly ingestBytes = new Counter({
    name: 'livesnap_ingest_video_bytes_total',
    help: 'Video access-unit bytes received from publishers',
    registers: [this.registry],
  });
  readonly snapshots = new Counter({
    name: 'livesnap_snapshots_total',
    help: 'Snapshots by outcome (stored, skipped = overload, failed = decode or storage error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly objectsStored = new Counter({
    name: 'livesnap_objects_stored_total',
    help: 'Snapshot objects written (overwrite and sequence count separately)',
    registers: [this.registry],
  });
  readonly snapshotLatency = new Histogram({
    name: 'livesnap_snapshot_latency_seconds',
    help: 'Keyframe received to object stored and row committed',
    buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  readonly decodeSeconds = new Histogram({
    name: 'livesnap_keyframe_decode_seconds',
    help: 'Decode of one keyframe plus its JPEG encode',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics)
      collectDefaultMetrics({ register: this.registry, prefix: 'livesnap_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
