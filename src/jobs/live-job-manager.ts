import type { CaptureRule } from '../capture/engine-types.js';
import type { Catalog, LiveJobStateChange, LiveSnapshotJob } from '../catalog/catalog-types.js';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { PullError } from '../ingest/pull-errors.js';
import { ownStreamKey, relaySession, type OwnRtmpServer } from '../ingest/pull-relay.js';
import { parsePullSource, type PullSource } from '../ingest/pull-url.js';
import { pullSession } from '../ingest/pull.js';
import type { Logger } from '../log.js';
import type { LiveStream } from '../stream/hub.js';
import { streamId, type PublishTarget, type StreamKey } from '../stream/stream-types.js';
import { LIVE_JOBS_APP, LIVE_JOBS_DOMAIN, liveJobStreamKey } from './live-job-keys.js';
import { jobRuleTemplate } from './live-job-naming.js';
import { LiveJobRunner, type ConnectSource, type LiveJobRunStatus } from './live-job-runner.js';
import { JobPublishTarget } from './live-job-target.js';

export type LiveJobsConfig = Config['liveJobs'];

/** What the manager needs from the hub: publishing, finding pushed streams, their arrival. */
export interface LiveJobHub extends PublishTarget {
  get(key: StreamKey): LiveStream | undefined;
  on(event: 'stream.published', listener: (stream: LiveStream) => void): unknown;
  off(event: 'stream.published', listener: (stream: LiveStream) => void): unknown;
}

export type LiveJobStore = Pick<
  Catalog,
  'insertLiveJob' | 'getLiveJob' | 'listActiveLiveJobs' | 'activateLiveJob' | 'updateLiveJobState'
>;

export interface LiveJobManagerOptions {
  catalog: LiveJobStore;
  hub: LiveJobHub;
  config: LiveJobsConfig;
  logger: Logger;
  /** livesnap's own RTMP server (read when a job starts), whose streams are relayed. */
  ownRtmp: () => OwnRtmpServer;
  now?: () => number;
}

export type LiveJobCommand = 'start' | 'stop' | 'restart';
export type CommandResult = 'ok' | 'not-found' | 'limit' | 'already-started';

/** libuv's default thread-pool size, when UV_THREADPOOL_SIZE is not set. */
const DEFAULT_THREADPOOL = 4;
/** Threads left for file I/O and keyframe decoding before warning about blocked pulls. */
const THREADPOOL_RESERVE = 2;

/**
 * Runs the live snapshot jobs (spec §4): one LiveJobRunner per active job, pulling the job's
 * URL (src/ingest/pull.ts) or, for a URL on livesnap's own RTMP server, relaying the pushed
 * stream (src/ingest/pull-relay.ts) into the hub under the job's stream key
 * (src/jobs/live-job-keys.ts), where the capture engine snapshots it with the job's rule
 * (`ruleFor`). Active jobs are resumed by start(); close() stops the runners but leaves the
 * jobs active, so they resume after a restart. A runner that gives up pauses its job with the
 * error. Commands are serialised per job.
 */
export class LiveJobManager {
  readonly #o: LiveJobManagerOptions;
  readonly #now: () => number;
  readonly #runners = new Map<
    string,
    { runner: LiveJobRunner; job: LiveSnapshotJob; relay?: StreamKey }
  >();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #onPublished = (stream: LiveStream) => this.#wakeRelays(stream.key);
  readonly #target: JobPublishTarget;
  #closed = false;
  #warnedPool = false;

  constructor(options: LiveJobManagerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#target = new JobPublishTarget(options.hub);
  }

  get maxActive(): number {
    return this.#o.config.maxActive;
  }

  async start(): Promise<void> {
    this.#o.hub.on('stream.published', this.#onPublished);
    const jobs = await this.#o.catalog.listActiveLiveJobs();
    for (const job of jobs) this.#run(job);
    if (jobs.length > 0) this.#o.logger.info({ jobs: jobs.length }, 'live snapshot jobs resumed');
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#o.hub.off('stream.published', this.#onPublished);
    const running = [...this.#runners.values()];
    this.#runners.clear();
    await Promise.all(running.map((r) => r.runner.stop()));
  }

  /** Inserts an active job (false: the limit of active jobs is reached) and starts it. */
  async submit(job: LiveSnapshotJob): Promise<boolean> {
    if (!(await this.#o.catalog.insertLiveJob(job, this.maxActive))) return false;
    this.#run(job);
    return true;
  }

  command(jobId: string, command: LiveJobCommand): Promise<CommandResult> {
    return this.#serialised(jobId, () => this.#command(jobId, command));
  }

  /** The runner's view of an active job; undefined for jobs that are not running. */
  status(jobId: string): LiveJobRunStatus | undefined {
    return this.#runners.get(jobId)?.runner.status;
  }

  /**
   * The capture rule of a job's stream while the job itself publishes it (DESIGN §3: fixed
   * when its publish starts); undefined otherwise.
   */
  ruleFor(jobId: string): CaptureRule | undefined {
    const job = this.#runners.get(jobId)?.job;
    if (!job || !this.#target.isPublishing(jobId)) return undefined;
    return {
      domain: LIVE_JOBS_DOMAIN,
      ruleApp: LIVE_JOBS_APP,
      timeIntervalSec: job.timeInterval,
      endpoint: job.storageEndpoint,
      bucket: job.outputBucket,
      ...(job.overwriteFormat && {
        overwriteObject: jobRuleTemplate(job.overwriteFormat, job.jobId),
      }),
      ...(job.sequenceFormat && { sequenceObject: jobRuleTemplate(job.sequenceFormat, job.jobId) }),
      ...(job.callbackUrl && { callback: job.callbackUrl }),
    };
  }

  async #command(jobId: string, command: LiveJobCommand): Promise<CommandResult> {
    const { catalog } = this.#o;
    const job = await catalog.getLiveJob(jobId);
    if (!job) return 'not-found';
    const current = this.#runners.get(jobId);
    if (command === 'stop') {
      if (current) await this.#stopRunner(jobId);
      await catalog.updateLiveJobState(jobId, { active: false, status: 'paused' }, this.#now());
      return 'ok';
    }
    if (command === 'start' && current) {
      if (current.runner.everLive || job.status === 'started') return 'already-started';
      current.runner.wake(); // waiting for its source: try again now
      return 'ok';
    }
    if (current) await this.#stopRunner(jobId); // restart
    const activation = await catalog.activateLiveJob(jobId, this.maxActive, this.#now());
    if (activation === 'not-found') return 'not-found';
    if (activation === 'limit') return 'limit';
    if (activation === 'already-active') {
      await catalog.updateLiveJobState(
        jobId,
        { status: 'init', lastError: null, lastErrorAt: null },
        this.#now(),
      );
    }
    const fresh = await catalog.getLiveJob(jobId);
    if (fresh && !this.#closed) this.#run(fresh);
    return 'ok';
  }

  async #stopRunner(jobId: string): Promise<void> {
    const entry = this.#runners.get(jobId);
    if (!entry) return;
    this.#runners.delete(jobId);
    await entry.runner.stop();
  }

  #run(job: LiveSnapshotJob): void {
    if (this.#closed || this.#runners.has(job.jobId)) return;
    const log = this.#o.logger.child({ jobId: job.jobId });
    const { config } = this.#o;
    let source: PullSource;
    try {
      source = parsePullSource(job.inputUrl);
    } catch (err) {
      const change: LiveJobStateChange = {
        active: false,
        status: 'paused',
        lastError: `the source URL cannot be pulled: ${errorMessage(err)}`,
        lastErrorAt: this.#now(),
      };
      void this.#write(job.jobId, () => true, change);
      return;
    }
    const relay = ownStreamKey(source, this.#o.ownRtmp());
    const key = liveJobStreamKey(job.jobId);
    const limits = {
      maxWidth: config.maxWidth,
      maxHeight: config.maxHeight,
      maxPacketBytes: config.maxPacketBytes,
      openTimeoutMs: config.openTimeoutMs,
      readTimeoutMs: config.readTimeoutMs,
      startTimeoutMs: config.startTimeoutMs,
    };
    const base = { key, target: this.#target, limits, logger: log };
    const connect: ConnectSource = relay
      ? (signal, onLive) => relaySession({ ...base, hub: this.#o.hub, from: relay, signal, onLive })
      : (signal, onLive) => pullSession({ ...base, source, signal, onLive });
    const runner = new LiveJobRunner({
      jobId: job.jobId,
      connect,
      backoff: { baseMs: config.backoffBaseMs, capMs: config.backoffCapMs },
      maxBadAttempts: config.maxBadAttempts,
      logger: log,
      onLive: () => this.#onLive(job, runner),
      onError: (error, at) =>
        this.#persistIfCurrent(job.jobId, runner, { lastError: error.message, lastErrorAt: at }),
      onGiveUp: (error, at) => this.#onGiveUp(job.jobId, runner, error, at),
    });
    this.#runners.set(job.jobId, { runner, job, ...(relay && { relay }) });
    log.info(
      { source: source.redacted, via: relay ? `hub ${streamId(relay)}` : 'ffmpeg' },
      'live snapshot job running',
    );
    runner.start();
    this.#checkThreadPool();
  }

  #onLive(job: LiveSnapshotJob, runner: LiveJobRunner): void {
    if (job.status === 'started') return;
    job.status = 'started';
    this.#persistIfCurrent(job.jobId, runner, { status: 'started' });
  }

  #onGiveUp(jobId: string, runner: LiveJobRunner, error: PullError, at: number): void {
    if (this.#runners.get(jobId)?.runner !== runner) return; // already stopped or replaced
    this.#runners.delete(jobId);
    const change: LiveJobStateChange = {
      active: false,
      status: 'paused',
      lastError: error.message,
      lastErrorAt: at,
    };
    void this.#write(jobId, () => true, change);
  }

  /** Saves a runner's news unless a command has replaced or stopped the runner meanwhile. */
  #persistIfCurrent(jobId: string, runner: LiveJobRunner, change: LiveJobStateChange): void {
    void this.#write(jobId, () => this.#runners.get(jobId)?.runner === runner, change);
  }

  /** Writes in the job's command order (never racing a stop or restart). */
  #write(jobId: string, still: () => boolean, change: LiveJobStateChange): Promise<void> {
    return this.#serialised(jobId, async () => {
      if (!still()) return;
      await this.#o.catalog.updateLiveJobState(jobId, change, this.#now());
    }).catch((err: unknown) =>
      this.#o.logger.error({ jobId, err: errorMessage(err) }, 'live job state not saved'),
    );
  }

  #wakeRelays(key: StreamKey): void {
    const id = streamId(key);
    for (const entry of this.#runners.values()) {
      if (entry.relay && streamId(entry.relay) === id) entry.runner.wake();
    }
  }

  /** Blocked FFmpeg reads hold libuv threads: warn once when pulls may starve the pool. */
  #checkThreadPool(): void {
    const pool = Number(process.env.UV_THREADPOOL_SIZE) || DEFAULT_THREADPOOL;
    const pulls = [...this.#runners.values()].filter((r) => !r.relay).length;
    if (this.#warnedPool || pulls <= pool - THREADPOOL_RESERVE) return;
    this.#warnedPool = true;
    this.#o.logger.warn(
      { pulls, threadPool: pool },
      'more pulled sources than free libuv threads: raise UV_THREADPOOL_SIZE above the number of live snapshot jobs',
    );
  }

  /** Runs `fn` after earlier commands of the same job have finished. */
  async #serialised<T>(jobId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(jobId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(fn);
    this.#locks.set(jobId, next);
    try {
      return await next;
    } finally {
      if (this.#locks.get(jobId) === next) this.#locks.delete(jobId);
    }
  }
}
