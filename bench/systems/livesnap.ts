/**
 * livesnap itself, started as users start it: `npm run build` once per bench run, then
 * `node bin/livesnap.cjs serve` (the entry that sizes libuv's thread pool before it starts)
 * as a child process with a fresh data dir, and one snapshot rule created through the RPC
 * API. Ready = GET /healthz answers 200 and the RTMP port accepts connections. Snapshots =
 * files under <data>/storage/bench/; latency = the `livesnap_snapshot_latency_seconds`
 * histogram at /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiClient } from '../api-client.js';
import { readCounter, readHistogram } from '../prometheus.js';
import {
  NotAvailable,
  type Histogram,
  type Ingest,
  type LiveSystem,
  type SystemId,
} from './system-types.js';
import { canConnect, capture, countJpegs, freePort, tail, terminate, waitFor } from '../util.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/livesnap.cjs');
const BUILT_MAIN = join(ROOT, 'dist/main.js');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const DOMAIN = 'localhost';
const APP = 'live';
const BUCKET = 'bench';
export const LATENCY_METRIC = 'livesnap_snapshot_latency_seconds';
export const SNAPSHOTS_METRIC = 'livesnap_snapshots_total';
/** Keyframe handed to the decoder (queue included) to JPEG ready. */
export const DECODE_METRIC = 'livesnap_keyframe_decode_seconds';
const GC_METRIC = 'livesnap_nodejs_gc_duration_seconds';
const READY_TIMEOUT_MS = 30_000;

export interface LivesnapOptions {
  /** Write a V8 CPU profile of the server (node --cpu-prof) into this directory. */
  readonly profileDir?: string;
  /** Extra Node.js options for the server process (an experiment: users run without). */
  readonly nodeOptions?: readonly string[];
  /** false: no snapshot rule, ingest only (`--no-capture`). */
  readonly capture?: boolean;
}

export class Livesnap implements LiveSystem {
  readonly id: SystemId = 'livesnap';
  readonly recipe: string;
  readonly #options: LivesnapOptions;
  #child: ChildProcess | undefined;
  #stderr: () => string[] = () => [];
  #dataDir = '';
  #httpPort = 0;
  #api: ApiClient | undefined;
  #startedAt = 0;
  #building: Promise<string | undefined> | undefined;
  #buildNote: string | undefined;
  readonly #notes: string[] = [];

  constructor(options: LivesnapOptions = {}) {
    this.#options = options;
    const node = ['node', ...(options.nodeOptions ?? [])].join(' ');
    this.recipe =
      `livesnap \`serve\` (\`npm run build\`, then \`${node} bin/livesnap.cjs serve\`: one node ` +
      'process), ' +
      (options.capture === false
        ? 'no snapshot rule (ingest only)'
        : 'rule: TimeInterval=5, SequenceOssObject, local storage');
  }

  /** The capture rule: the first keyframe at least `interval` after the previous snapshot. */
  snapshotPeriod(interval: number, gopS: number): number {
    return Math.ceil(interval / gopS - 1e-6) * gopS;
  }

  async unavailable(): Promise<string | undefined> {
    if (!existsSync(BIN)) return `${BIN} not found`;
    return (await this.#build()) ?? undefined;
  }

  /** `npm run build`, once: undefined when there is a build to run, else why not. */
  #build(): Promise<string | undefined> {
    this.#building ??= (async () => {
      const { code, out } = await capture(process.execPath, [TSC, '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
      });
      if (!existsSync(BUILT_MAIN)) {
        return `npm run build produced no dist/main.js: ${out.trim().split('\n')[0] ?? ''}`;
      }
      // tsc emits despite type errors; say so, and measure what it emitted.
      if (code !== 0) {
        this.#buildNote = `npm run build reported errors (measured what it emitted): ${out.trim().split('\n')[0] ?? ''}`;
      }
      return undefined;
    })();
    return this.#building;
  }

  async start(interval: number): Promise<Ingest> {
    this.#notes.length = 0;
    const notBuilt = await this.#build();
    if (notBuilt) throw new NotAvailable(notBuilt);
    if (this.#buildNote) this.#notes.push(this.#buildNote);
    this.#startedAt = Date.now();
    this.#dataDir = await mkdtemp(join(tmpdir(), 'livesnap-bench-data-'));
    this.#httpPort = await freePort();
    const rtmpPort = await freePort();
    const keyId = 'bench';
    const secret = randomBytes(16).toString('hex');
    const profile = this.#options.profileDir;
    if (profile) await mkdir(profile, { recursive: true });
    const child = spawn(
      process.execPath,
      [
        ...(this.#options.nodeOptions ?? []),
        ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []),
        BIN,
        'serve',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          LIVESNAP_HOST: '127.0.0.1',
          LIVESNAP_HTTP_PORT: String(this.#httpPort),
          LIVESNAP_RTMP_PORT: String(rtmpPort),
          LIVESNAP_DATA_DIR: this.#dataDir,
          LIVESNAP_ACCESS_KEY_ID: keyId,
          LIVESNAP_ACCESS_KEY_SECRET: secret,
          LIVESNAP_LOG_LEVEL: 'warn',
        },
      },
    );
    this.#child = child;
    this.#stderr = tail(child.stderr, 10);
    const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
    const why = (): string => {
      const lines = this.#stderr();
      return lines.length ? `; stderr: ${lines.slice(-3).join(' | ')}` : '';
    };

    const healthy = await waitFor(() => this.#healthz(), READY_TIMEOUT_MS, exited, 250);
    if (!healthy) {
      const reason = exited()
        ? `the server exited (${child.signalCode ?? `code ${child.exitCode}`}) before GET /healthz answered 200`
        : `GET /healthz did not answer 200 within ${READY_TIMEOUT_MS / 1000} s`;
      throw new NotAvailable(reason + why());
    }
    if (!(await waitFor(() => canConnect(rtmpPort), 10_000, exited))) {
      throw new NotAvailable(`RTMP port ${rtmpPort} is not accepting connections${why()}`);
    }
    this.#api = new ApiClient(`http://127.0.0.1:${this.#httpPort}`, keyId, secret);
    if (this.#options.capture !== false) await this.#addRule(interval);
    return {
      host: '127.0.0.1',
      port: rtmpPort,
      app: APP,
      tcUrl: `rtmp://${DOMAIN}:${rtmpPort}/${APP}`,
    };
  }

  async #addRule(interval: number): Promise<void> {
    try {
      await this.#api!.call('AddLiveAppSnapshotConfig', {
        DomainName: DOMAIN,
        AppName: APP,
        TimeInterval: interval,
        OssEndpoint: 'local',
        OssBucket: BUCKET,
        SequenceOssObject: '{AppName}/{StreamName}/{Sequence}.jpg',
      });
    } catch (err) {
      throw new NotAvailable(`AddLiveAppSnapshotConfig failed: ${(err as Error).message}`);
    }
  }

  async #healthz(): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.#httpPort}/healthz`, {
        signal: AbortSignal.timeout(2000),
      });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  async attach(): Promise<void> {}

  pids(): number[] {
    const pid = this.#child?.pid;
    return pid === undefined ? [] : [pid];
  }

  snapshots(stream: string): Promise<number> {
    return countJpegs(join(this.#dataDir, 'storage', BUCKET, APP, stream));
  }

  async #metrics(): Promise<string | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.#httpPort}/metrics`, {
        signal: AbortSignal.timeout(5000),
      });
      const text = await response.text();
      return response.ok ? text : undefined;
    } catch {
      return undefined;
    }
  }

  async latency(): Promise<Histogram | undefined> {
    const text = await this.#metrics();
    return text === undefined ? undefined : readHistogram(text, LATENCY_METRIC);
  }

  async decodeLatency(): Promise<Histogram | undefined> {
    const text = await this.#metrics();
    return text === undefined ? undefined : readHistogram(text, DECODE_METRIC);
  }

  async counters(): Promise<Record<string, number>> {
    const text = await this.#metrics();
    if (text === undefined) return {};
    const byOutcome = readCounter(text, SNAPSHOTS_METRIC, 'outcome');
    // V8's collections by kind (major = mark-compact): how the GC behaved in the window.
    const gcCount = readCounter(text, `${GC_METRIC}_count`, 'kind');
    const gcSeconds = readCounter(text, `${GC_METRIC}_sum`, 'kind');
    return {
      ...Object.fromEntries(Object.entries(byOutcome).map(([k, v]) => [`snapshots_${k}`, v])),
      ...Object.fromEntries(Object.entries(gcCount).map(([k, v]) => [`gc_${k}_count`, v])),
      ...Object.fromEntries(Object.entries(gcSeconds).map(([k, v]) => [`gc_${k}_seconds`, v])),
    };
  }

  /** Catalog rows (DescribeLiveStreamSnapshotInfo) against files, for up to 20 streams. */
  async verify(streams: readonly string[]): Promise<Record<string, unknown>> {
    const api = this.#api;
    if (!api) return {};
    const checked = streams.slice(0, 20);
    const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    let rows = 0;
    let files = 0;
    try {
      for (const stream of checked) {
        files += await this.snapshots(stream);
        let start = iso(this.#startedAt - 60_000);
        const end = iso(Date.now() + 60_000);
        for (let page = 0; page < 100; page++) {
          const result = await api.call('DescribeLiveStreamSnapshotInfo', {
            DomainName: DOMAIN,
            AppName: APP,
            StreamName: stream,
            StartTime: start,
            EndTime: end,
            Limit: 100,
          });
          const list = result['LiveStreamSnapshotInfoList'] as
            { LiveStreamSnapshotInfo?: unknown[] } | undefined;
          rows += list?.LiveStreamSnapshotInfo?.length ?? 0;
          const next = result['NextStartTime'];
          if (typeof next !== 'string') break;
          start = next;
        }
      }
    } catch (err) {
      return { rowsCheck: `failed: ${(err as Error).message}` };
    }
    return {
      rowsCheckedStreams: checked.length,
      catalogRows: rows,
      files,
      rowsMatchFiles: rows === files,
    };
  }

  notes(): string[] {
    const child = this.#child;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      return [
        ...this.#notes,
        `livesnap exited during the run (${child.signalCode ?? child.exitCode}): ${this.#stderr().slice(-3).join(' | ')}`,
      ];
    }
    return [...this.#notes];
  }

  async stop(): Promise<void> {
    if (this.#child) await terminate(this.#child, 'SIGTERM', 15_000);
    this.#child = undefined;
    if (this.#dataDir) await rm(this.#dataDir, { recursive: true, force: true });
  }
}
