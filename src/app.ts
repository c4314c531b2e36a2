import { readFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ActionRegistry } from './api/action-registry.js';
import {
  bootstrapRootAccessKey,
  catalogAccessKeyLookup,
  type RootAccessKey,
} from './api/access-keys.js';
import { registerIceSnapshotJobActions } from './api/actions/ice-snapshot-job-actions.js';
import { registerIceSnapshotTemplateActions } from './api/actions/ice-snapshot-template-actions.js';
import { registerLiveConfigActions } from './api/actions/live-config-actions.js';
import { registerMediaInfoActions } from './api/actions/media-info-actions.js';
import { registerSnapshotRecordActions } from './api/actions/snapshot-record-actions.js';
import {
  registerStreamStatusActions,
  type StreamStatus,
} from './api/actions/stream-status-actions.js';
import { RpcService } from './api/rpc-service.js';
import { CaptureEngine } from './capture/engine.js';
import { configureFfmpegLog } from './capture/ffmpeg-log.js';
import type { CaptureRule, RuleSource } from './capture/engine-types.js';
import { KeyframeDecoder } from './capture/keyframe-decoder.js';
import { SnapshotStore } from './capture/snapshot-store.js';
import type { Catalog } from './catalog/catalog-types.js';
import { createCatalog } from './catalog/open-catalog.js';
import type { Config } from './config/schema.js';
import { consoleRoute } from './http/console-route.js';
import { HttpServer } from './http/http-server.js';
import { metricsRoute } from './http/metrics-route.js';
import { signStorageUrl } from './http/signed-url.js';
import { storageRoute } from './http/storage-route.js';
import { RtmpServer } from './ingest/rtmp/server.js';
import { SnapshotJobService } from './jobs/snapshot-job-service.js';
import type { Logger } from './log.js';
import { errorMessage, StreamRefusedError } from './errors.js';
import { Metrics } from './metrics.js';
import { registerCallbackActions } from './notify/callback-actions.js';
import { Notifier } from './notify/notifier.js';
import { LOCAL_ENDPOINT, StorageRegistry } from './storage/storage-registry.js';
import { RESERVED_SEGMENT_PREFIX } from './storage/object-key.js';
import { sweepTemporaryFiles } from './storage/temp-sweep.js';
import { registerIceLiveSnapshotActions } from './api/actions/ice-live-snapshot-actions.js';
import { localHostNames, type OwnRtmpServer } from './ingest/pull-relay.js';
import { LiveJobCallbacks } from './jobs/live-job-callbacks.js';
import { LiveJobManager } from './jobs/live-job-manager.js';
import { LIVE_JOBS_DOMAIN } from './jobs/live-job-keys.js';
import { liveJobRules } from './jobs/live-job-rules.js';
import { LiveJobSink } from './jobs/live-job-sink.js';
import { StreamHub } from './stream/hub.js';

/** Lifetime of the signed object URLs the API and callbacks hand out. */
const SIGNED_URL_TTL_SEC = 24 * 3600;
/** Temporary storage files older than this at startup were left by a crash. */
const STALE_TEMP_MS = 3600_000;

/** Options for embedding the app (tests): things that are not user configuration. */
export interface AppOptions {
  /** RPC QPS overrides (see RpcService); tests lower or disable the spec's limits. */
  qpsOverrides?: Readonly<Record<string, number>>;
  /** Collect Node process metrics (default true). */
  processMetrics?: boolean;
}

export interface AppAddresses {
  http: { port: number; url: string };
  rtmp: { port: number; tlsPort?: number };
}

/** Something the composition root closes, in reverse order of starting. */
interface Component {
  readonly name: string;
  close(): Promise<void> | void;
}

/**
 * The composition root: builds every component in order and closes them in reverse.
 * No globals: everything a component needs is handed to it here.
 */
export class App {
  readonly config: Config;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly metrics: Metrics;
  readonly hub: StreamHub;
  readonly storage: StorageRegistry;
  #catalog: Catalog | undefined;
  #engine: CaptureEngine | undefined;
  #rtmp: RtmpServer | undefined;
  #rootKey: RootAccessKey | undefined;
  #addresses: AppAddresses | undefined;
  #publicUrl = '';
  readonly #options: AppOptions;
  readonly #started: Component[] = [];

  constructor(config: Config, logger: Logger, options: AppOptions = {}) {
    this.config = config;
    this.logger = logger;
    this.#options = options;
    this.dataDir = resolve(config.dataDir);
    this.metrics = new Metrics({ processMetrics: options.processMetrics ?? true });
    this.hub = new StreamHub({
      logger: logger.child({ component: 'hub' }),
      subscriberQueue: config.hub.subscriberQueue,
    });
    this.storage = new StorageRegistry({ dataDir: this.dataDir });
  }

  get catalog(): Catalog {
    if (!this.#catalog) throw new Error('app not started');
    return this.#catalog;
  }

  get engine(): CaptureEngine {
    if (!this.#engine) throw new Error('app not started');
    return this.#engine;
  }

  get addresses(): AppAddresses {
    if (!this.#addresses) throw new Error('app not started');
    return this.#addresses;
  }

  /** Base of the URLs handed out (LIVESNAP_PUBLIC_URL, else the HTTP listener's URL). */
  get publicUrl(): string {
    if (this.#publicUrl) return this.#publicUrl;
    const host = ['0.0.0.0', '::'].includes(this.config.host) ? '127.0.0.1' : this.config.host;
    return (this.config.publicUrl ?? `http://${host}:${this.config.httpPort}`).replace(/\/+$/, '');
  }

  /** Every live stream with its ingest counters and capture status. */
  streamStatus(): StreamStatus[] {
    return this.hub.list().map((stream) => {
      const capture = this.engine.statusOf(stream);
      return {
        domain: stream.key.domain,
        app: stream.key.app,
        stream: stream.key.stream,
        publishTime: stream.startedAt,
        remote: stream.info.remote,
        protocol: stream.info.protocol,
        codec: capture.codec,
        width: capture.width,
        height: capture.height,
        keyframeIntervalMs: stream.counters.keyframeIntervalMs,
        frames: stream.counters.frames,
        bytes: stream.counters.bytes,
        snapshotsTaken: capture.taken,
        snapshotsSkipped: capture.skipped,
        snapshotsFailed: capture.failed,
        lastSnapshotAt: capture.lastSnapshotAt,
        keyframeIntervalTooLong: capture.keyframeIntervalTooLong,
        lastError: capture.lastError,
      };
    });
  }

  /** The root access key (its secret is only printed when it was just generated). */
  get rootKey(): RootAccessKey {
    if (!this.#rootKey) throw new Error('app not started');
    return this.#rootKey;
  }

  async start(): Promise<AppAddresses> {
    const { config, logger } = this;
    await mkdir(this.dataDir, { recursive: true });

    const catalog = createCatalog({ dataDir: this.dataDir, databaseUrl: config.databaseUrl });
    await catalog.start();
    this.#catalog = catalog;
    this.#push('catalog', () => catalog.close());

    const rootKey = await bootstrapRootAccessKey({
      dataDir: this.dataDir,
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      catalog,
      log: logger.child({ component: 'access-keys' }),
    });
    this.#rootKey = rootKey;
    if (rootKey.source === 'generated') printGeneratedKey(rootKey);

    // Callbacks: the outbox lives in the catalog; the notifier closes after capture has stopped.
    const notifier = new Notifier({
      catalog,
      config: config.notify,
      logger: logger.child({ component: 'notify' }),
      publicUrl: () => this.publicUrl,
      // Receivers fetch the object with a URL signed by the root key, valid for a day.
      objectUrl: (_endpoint, bucket, object) =>
        signStorageUrl(this.publicUrl, bucket, object, rootKey, SIGNED_URL_TTL_SEC),
    });
    await notifier.start();
    this.#push('notifier', () => notifier.close());

    this.#push('storage', () => this.storage.close());
    this.#push('hub', () => this.hub.close());

    configureFfmpegLog(config.logLevel);
    const decoder = new KeyframeDecoder({
      concurrency: config.capture.concurrency,
      backlog: config.capture.backlog,
      jpegQuality: config.capture.jpegQuality,
    });
    this.#push('keyframe decoder', () => decoder.close());

    // Live snapshot jobs (spec §4): pulled sources published into the hub under job stream
    // keys, captured with their job's rule and naming, announced to the job's CallbackUrl.
    let ownRtmp: OwnRtmpServer = { ports: [], hosts: new Set() };
    const liveJobs = new LiveJobManager({
      catalog,
      hub: this.hub,
      config: config.liveJobs,
      logger: logger.child({ component: 'live-jobs' }),
      ownRtmp: () => ownRtmp,
    });
    const liveJobCallbacks = new LiveJobCallbacks({
      inner: notifier.snapshots,
      objectUrl: (_endpoint, bucket, object) =>
        signStorageUrl(this.publicUrl, bucket, object, rootKey, SIGNED_URL_TTL_SEC),
    });
    const engine = new CaptureEngine({
      hub: this.hub,
      rules: liveJobRules(liveJobs, catalogRules(catalog)),
      encoder: decoder,
      sink: new LiveJobSink(
        new SnapshotStore({ storage: this.storage, catalog, callbacks: liveJobCallbacks }),
      ),
      logger: logger.child({ component: 'capture' }),
      metrics: this.metrics,
    });
    engine.start();
    notifier.watch({ hub: this.hub, engine });
    this.#engine = engine;
    this.#push('capture engine', () => engine.close());

    // Leftovers of a crash: half-written objects (storage writes go through a temp file and a
    // rename) and downloaded job inputs. Job inputs go first, before any job can download;
    // the storage tree may be large, so it is swept in the background, sparing recent files.
    const jobsTmp = join(this.dataDir, 'tmp', 'jobs');
    const swept = await sweepTemporaryFiles(jobsTmp, { prefix: 'input-', olderThanMs: 0 });
    if (swept.removed > 0) logger.info(swept, 'removed job inputs left by an earlier run');
    const stopSweep = new AbortController();
    const sweeping = sweepTemporaryFiles(join(this.dataDir, 'storage'), {
      prefix: RESERVED_SEGMENT_PREFIX,
      olderThanMs: STALE_TEMP_MS,
      signal: stopSweep.signal,
    }).then(
      (r) => {
        if (r.removed > 0) logger.info(r, 'removed temporary files left by an earlier run');
      },
      (err: unknown) => logger.warn({ err: errorMessage(err) }, 'temporary file sweep failed'),
    );
    this.#push('temporary file sweep', () => {
      stopSweep.abort(); // a large tree must not hold up shutdown
      return sweeping;
    });

    // Snapshot jobs on video files: queued in the catalog, outputs in storage, callbacks via
    // the outbox; running jobs are put back in their queue on close.
    const jobs = new SnapshotJobService({
      catalog,
      stores: this.storage,
      config: config.jobs,
      dataDir: this.dataDir,
      logger: logger.child({ component: 'jobs' }),
      wakeCallbacks: () => notifier.wake(),
    });
    await jobs.start();
    this.#push('snapshot jobs', () => jobs.close());

    const tls =
      config.tlsCertFile && config.tlsKeyFile
        ? {
            cert: await readFile(config.tlsCertFile),
            key: await readFile(config.tlsKeyFile),
            port: config.rtmpsPort,
          }
        : undefined;
    const rtmp = new RtmpServer({
      host: config.host,
      port: config.rtmpPort,
      limits: config.rtmp,
      target: {
        // The live-job domain (.invalid, RFC 2606) belongs to pulled sources, never to a push.
        publish: (key, info) => {
          if (key.domain.toLowerCase() === LIVE_JOBS_DOMAIN) {
            throw new StreamRefusedError(`domain ${LIVE_JOBS_DOMAIN} is reserved for live jobs`);
          }
          return this.hub.publish(key, info);
        },
      },
      logger: logger.child({ component: 'rtmp' }),
      ...(tls ? { tls } : {}),
    });
    const rtmpAddress = await rtmp.start();
    this.#rtmp = rtmp;
    this.#push('rtmp server', () => rtmp.close());
    this.metrics.sources.rtmpConnections = () => rtmp.connections;
    this.metrics.sources.liveStreams = () => this.hub.list().length;
    ownRtmp = {
      ports: [rtmpAddress.port, ...(rtmpAddress.tlsPort ? [rtmpAddress.tlsPort] : [])],
      hosts: localHostNames([config.host, new URL(this.publicUrl).hostname]),
    };
    await liveJobs.start();
    this.#push('live snapshot jobs', () => liveJobs.close());

    const accessKeys = catalogAccessKeyLookup(catalog);
    const registry = new ActionRegistry();
    registerLiveConfigActions(registry, {
      catalog,
      storageEndpoints: () => this.storage.names,
    });
    const signUrl = async (
      object: { endpoint: string; bucket: string; object: string },
      accessKeyId: string,
    ) => {
      const key = await catalog.getAccessKey(accessKeyId);
      if (!key || object.endpoint !== LOCAL_ENDPOINT) return undefined;
      return signStorageUrl(this.publicUrl, object.bucket, object.object, key, SIGNED_URL_TTL_SEC);
    };
    registerSnapshotRecordActions(registry, { catalog, storage: this.storage, signUrl });
    registerIceLiveSnapshotActions(registry, {
      catalog,
      jobs: liveJobs,
      storage: {
        get: (endpoint) => this.storage.get(endpoint),
        names: () => this.storage.names,
        defaultName: () => this.storage.default.name,
      },
      signUrl,
    });
    registerStreamStatusActions(registry, { streams: () => this.streamStatus() });
    registerCallbackActions(registry, { catalog, wake: () => notifier.wake() });
    registerIceSnapshotJobActions(registry, {
      catalog,
      jobs,
      stores: this.storage,
      signUrl: async (object, accessKeyId, ttlSec) => {
        const key = await catalog.getAccessKey(accessKeyId);
        if (!key || object.endpoint !== LOCAL_ENDPOINT) return undefined;
        return signStorageUrl(this.publicUrl, object.bucket, object.object, key, ttlSec);
      },
    });
    registerIceSnapshotTemplateActions(registry, { catalog });
    registerMediaInfoActions(registry, { catalog });
    const rpc = new RpcService({
      registry,
      accessKeys,
      log: logger.child({ component: 'api' }),
      ...(this.#options.qpsOverrides ? { qpsOverrides: this.#options.qpsOverrides } : {}),
    });
    const http = new HttpServer({
      host: config.host,
      port: config.httpPort,
      log: logger.child({ component: 'http' }),
      rpc,
      health: () => this.#rtmp !== undefined,
    });
    await http.app.register(storageRoute, {
      store: this.storage.local,
      accessKeys,
      publicRead: config.storage.publicRead,
      log: logger.child({ component: 'storage-http' }),
    });
    await http.app.register(metricsRoute, { metrics: this.metrics });
    await http.app.register(consoleRoute, { log: logger.child({ component: 'console' }) });
    const httpAddress = await http.start();
    this.#push('http server', () => http.close(2000));

    this.#addresses = { http: httpAddress, rtmp: rtmpAddress };
    this.#publicUrl = (config.publicUrl ?? httpAddress.url).replace(/\/+$/, '');
    logger.info(
      {
        http: httpAddress.port,
        rtmp: rtmpAddress.port,
        rtmps: rtmpAddress.tlsPort,
        dataDir: this.dataDir,
      },
      'livesnap started',
    );
    return this.#addresses;
  }

  async close(): Promise<void> {
    while (this.#started.length > 0) {
      const component = this.#started.pop()!;
      try {
        await component.close();
      } catch (err) {
        this.logger.error({ component: component.name, err }, 'close failed');
      }
    }
  }

  #push(name: string, close: () => Promise<void> | void): void {
    this.#started.push({ name, close });
  }
}

/** The capture engine's view of the catalog's rules. */
function catalogRules(catalog: Catalog): RuleSource {
  return {
    async resolveRule(domain: string, app: string): Promise<CaptureRule | undefined> {
      const rule = await catalog.resolveRule(domain, app);
      if (!rule) return undefined;
      return {
        domain: rule.domainName,
        ruleApp: rule.appName,
        timeIntervalSec: rule.timeInterval,
        endpoint: rule.ossEndpoint,
        bucket: rule.ossBucket,
        ...(rule.overwriteOssObject ? { overwriteObject: rule.overwriteOssObject } : {}),
        ...(rule.sequenceOssObject ? { sequenceObject: rule.sequenceOssObject } : {}),
        ...(rule.callback ? { callback: rule.callback } : {}),
      };
    },
  };
}

/** A generated root key is shown once, on the terminal, never in the logs. */
function printGeneratedKey(key: RootAccessKey): void {
  process.stdout.write(
    [
      '',
      'livesnap generated a root access key (shown only this once):',
      `  AccessKeyId:     ${key.accessKeyId}`,
      `  AccessKeySecret: ${key.accessKeySecret}`,
      `It is saved in ${key.file ?? 'the data directory'} (mode 0600).`,
      '',
    ].join('\n'),
  );
}
