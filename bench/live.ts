/**
 * The live scenario: for each stream count, each system gets a fresh server, the same
 * load generator (its own process) publishes N streams, and after a warm-up the server's CPU,
 * memory and snapshots are measured over a fixed window. A system's sweep stops at the
 * first step where it does not keep up.
 */
import { cpus } from 'node:os';
import { LoadProcess } from './load-process.js';
import type { LoadStats } from './load.js';
import { histogramDelta, quantile } from './prometheus.js';
import {
  CpuMeter,
  busyFraction,
  memAvailableBytes,
  readMachineCpu,
  sampleMemory,
  type MemorySample,
} from './proc.js';
import { NotAvailable, type Histogram, type LiveSystem } from './systems/system-types.js';
import { sleep } from './util.js';

export interface LiveParams {
  readonly clipPath: string;
  readonly interval: number;
  /** Keyframe interval of the clip, seconds. */
  readonly gopS: number;
  /** Stream start offsets are spread over this many ms (0 = all in step). */
  readonly spreadMs: number;
  readonly durationS: number;
  /** Upper bound on the wait for every stream's first snapshot. */
  readonly warmupMaxS: number;
  /** How long the idle server's CPU is measured before any stream. */
  readonly idleS: number;
  /** Extra settle time after the first snapshots. */
  readonly settleS: number;
  /** RTMP chunk size of the publishers. */
  readonly chunkSize: number;
  /** false: ingest only (`--no-capture`): no snapshots are expected or waited for. */
  readonly capture: boolean;
}

export interface StepResult {
  readonly system: string;
  readonly streams: number;
  readonly status: 'measured' | 'unavailable' | 'failed';
  readonly reason?: string;
  readonly windowS?: number;
  readonly warmupS?: number;
  readonly published?: number;
  readonly server?: {
    readonly cpuSeconds: number;
    readonly cpuSecondsPerStreamPerMin: number;
    /** Share of one core per stream. */
    readonly corePercentPerStream: number;
    /** Share of all cores. */
    readonly utilization: number;
    readonly processes: number;
    /** Share of the server CPU spent on main threads (Node: the JavaScript thread). */
    readonly mainThreadShare: number;
    /** CPU-seconds per minute of the idle server (before any stream), for reference. */
    readonly idleCpuSecondsPerMin: number;
    readonly idle: MemorySample;
    readonly loaded: MemorySample;
    readonly rssPerStreamMB: number;
    readonly pssPerStreamMB: number | undefined;
  };
  readonly generator?: {
    readonly cpuSeconds: number;
    readonly cpuSecondsPerStreamPerMin: number;
    readonly rssMB: number;
    readonly stats: LoadStats | undefined;
  };
  readonly machine?: { readonly cores: number; readonly busy: number; readonly otherLoad: number };
  readonly snapshots?: {
    readonly produced: number;
    readonly expected: number;
    /** Seconds between snapshots of one stream the expectation assumes. */
    readonly periodS: number;
    /** 1 − produced / expected, floored at 0 (phase quantisation makes small values noise). */
    readonly missedFraction: number;
    readonly streamsWithNone: number;
    readonly streamsWithoutFirst: number;
  };
  readonly latency?: {
    readonly p50Ms: number | undefined;
    readonly p99Ms: number | undefined;
    readonly count: number;
    /** Its decode part: waiting for a decoder, decoding, JPEG encoding. */
    readonly decode?: {
      readonly p50Ms: number | undefined;
      readonly p99Ms: number | undefined;
      readonly count: number;
    };
  };
  readonly counters?: Record<string, number>;
  readonly verify?: Record<string, unknown>;
  readonly keptUp?: boolean;
  readonly stopReason?: string;
  readonly notes?: string[];
}

const MB = 1024 * 1024;
const MISSED_LIMIT = 0.1;
/** Server + generator CPU as a share of all cores at which a step counts as saturated. */
const SATURATION = 0.95;
const OTHER_LOAD_WARNING = 0.1;

export async function runStep(
  system: LiveSystem,
  n: number,
  params: LiveParams,
  log: (line: string) => void,
): Promise<StepResult> {
  const streams = Array.from({ length: n }, (_, i) => `s${i + 1}`);
  const cores = cpus().length;
  let load: LoadProcess | undefined;
  try {
    let ingest;
    try {
      ingest = await system.start(params.interval);
    } catch (err) {
      if (err instanceof NotAvailable) {
        return { system: system.id, streams: n, status: 'unavailable', reason: err.message };
      }
      throw err;
    }
    // Idle: memory, and CPU over a few seconds, before any stream (startup settled first).
    await sleep(1000);
    const idleCpu = new CpuMeter(() => system.pids());
    idleCpu.mark();
    await sleep(params.idleS * 1000);
    idleCpu.sample();
    const idleCpuPerMin = (idleCpu.seconds() / params.idleS) * 60;
    const idle = sampleMemory(system.pids());

    load = new LoadProcess();
    const report = await load.publish({
      clipPath: params.clipPath,
      host: ingest.host,
      port: ingest.port,
      app: ingest.app,
      streams,
      tcUrl: ingest.tcUrl,
      spreadMs: params.spreadMs,
      // One start offset per stream: independent encoders do not share keyframe instants.
      phases: n,
      chunkSize: params.chunkSize,
    });
    if (report.published === 0) {
      throw new Error(`no stream could publish: ${report.failed[0]?.error ?? 'unknown'}`);
    }
    log(`  ${report.published}/${n} streams publishing (${report.ms} ms)`);
    await load.play();
    const playStart = Date.now();
    await system.attach(streams);

    // Warm-up: until every stream has its first snapshot (bounded), then settle.
    const counts = async (): Promise<number[]> =>
      Promise.all(streams.map((s) => system.snapshots(s)));
    const deadline = Date.now() + params.warmupMaxS * 1000;
    let first = await counts();
    while (params.capture && first.some((c) => c === 0) && Date.now() < deadline) {
      await sleep(500);
      first = await counts();
    }
    await sleep(params.settleS * 1000);
    const warmupS = (Date.now() - playStart) / 1000;

    // The window.
    const genPid = load.pid;
    const serverCpu = new CpuMeter(() => system.pids());
    const genCpu = new CpuMeter(() => [genPid]);
    const before = await counts();
    const latencyBefore = await system.latency();
    const decodeBefore = await system.decodeLatency?.();
    const countersBefore = await system.counters();
    const machineBefore = readMachineCpu();
    serverCpu.mark();
    genCpu.mark();
    const started = performance.now();
    const end = started + params.durationS * 1000;
    while (performance.now() < end) {
      await sleep(Math.min(1000, Math.max(0, end - performance.now())));
      serverCpu.sample();
      genCpu.sample();
    }
    const windowS = (performance.now() - started) / 1000;
    const machineAfter = readMachineCpu();
    const after = await counts();
    const latencyAfter = await system.latency();
    const decodeAfter = await system.decodeLatency?.();
    const countersAfter = await system.counters();
    const loaded = sampleMemory(system.pids());
    const genMemory = sampleMemory([genPid]);
    const genStats = await load.stats().catch(() => undefined);

    const cpuSeconds = serverCpu.seconds();
    // Per-stream figures divide by the streams that actually published.
    const active = report.published;
    const perStreamPerMin = cpuSeconds / active / (windowS / 60);
    const utilization = cpuSeconds / windowS / cores;
    const genSeconds = genCpu.seconds();
    const busy = busyFraction(machineBefore, machineAfter);
    const ours = (cpuSeconds + genSeconds) / windowS / cores;

    const produced = after.reduce((a, c, i) => a + (c - before[i]!), 0);
    const period = system.snapshotPeriod(params.interval, params.gopS);
    const expected = params.capture ? (active * windowS) / period : 0;
    const missedFraction = expected > 0 ? Math.max(0, 1 - produced / expected) : 0;
    const latency = latencyAfter ? histogramDelta(latencyBefore, latencyAfter) : undefined;
    const decode = decodeAfter ? histogramDelta(decodeBefore, decodeAfter) : undefined;

    // Any window of W seconds holds at least floor(W / period) snapshots of a stream that
    // keeps up, whatever its phase: the stop rule uses that, so short windows do not trip it.
    const minimum = params.capture ? active * Math.floor(windowS / period + 1e-6) : 0;
    let stopReason: string | undefined;
    if (minimum > 0 && produced < (1 - MISSED_LIMIT) * minimum) {
      stopReason = `missed snapshots: ${produced} in the window, at least ${minimum} due`;
    } else if (ours >= SATURATION) {
      stopReason =
        `CPU saturated (server ${(utilization * 100).toFixed(0)} % + generator ` +
        `${((ours - utilization) * 100).toFixed(0)} % of ${cores} cores)`;
    } else if (report.published < n) {
      stopReason = `${n - report.published} streams could not publish`;
    } else if (genStats && genStats.closed.length > 0) {
      stopReason = `${genStats.closed.length} streams were dropped by the server`;
    }

    const verify = await system.verify(streams);
    const notes = system.notes();
    const otherLoad = Math.max(0, busy - ours);
    if (otherLoad > OTHER_LOAD_WARNING) {
      notes.push(
        `other processes used ${(otherLoad * 100).toFixed(0)} % of the machine during the window: ` +
          'figures may be disturbed',
      );
    }
    if (report.failed.length) notes.push(`publish failures: ${report.failed[0]!.error}`);
    if (genStats?.closed.length) notes.push(`dropped: ${genStats.closed[0]!.reason}`);

    return {
      system: system.id,
      streams: n,
      status: 'measured',
      windowS: round(windowS, 1),
      warmupS: round(warmupS, 1),
      published: report.published,
      server: {
        cpuSeconds: round(cpuSeconds, 2),
        cpuSecondsPerStreamPerMin: round(perStreamPerMin, 3),
        corePercentPerStream: round((perStreamPerMin / 60) * 100, 3),
        utilization: round(utilization, 3),
        processes: serverCpu.processes,
        mainThreadShare: cpuSeconds > 0 ? round(serverCpu.mainThreadSeconds() / cpuSeconds, 3) : 0,
        idleCpuSecondsPerMin: round(idleCpuPerMin, 3),
        idle,
        loaded,
        rssPerStreamMB: round((loaded.rssBytes - idle.rssBytes) / active / MB, 2),
        pssPerStreamMB:
          loaded.pssBytes !== undefined && idle.pssBytes !== undefined
            ? round((loaded.pssBytes - idle.pssBytes) / active / MB, 2)
            : undefined,
      },
      generator: {
        cpuSeconds: round(genSeconds, 2),
        cpuSecondsPerStreamPerMin: round(genSeconds / active / (windowS / 60), 4),
        rssMB: round(genMemory.rssBytes / MB, 1),
        stats: genStats,
      },
      machine: { cores, busy: round(busy, 3), otherLoad: round(otherLoad, 3) },
      snapshots: {
        produced,
        expected: round(expected, 1),
        periodS: round(period, 2),
        missedFraction: round(missedFraction, 3),
        streamsWithNone: params.capture ? after.filter((c, i) => c - before[i]! === 0).length : 0,
        streamsWithoutFirst: params.capture ? first.filter((c) => c === 0).length : 0,
      },
      latency:
        latency && latency.count > 0
          ? {
              ...summarize(latency),
              ...(decode && decode.count > 0 ? { decode: summarize(decode) } : {}),
            }
          : undefined,
      counters: diffCounters(countersBefore, countersAfter),
      verify,
      keptUp: stopReason === undefined,
      stopReason,
      notes,
    };
  } catch (err) {
    return {
      system: system.id,
      streams: n,
      status: 'failed',
      reason: err instanceof Error ? err.message : String(err),
      notes: system.notes(),
    };
  } finally {
    await load?.stop().catch(() => undefined);
    await system.stop().catch(() => undefined);
  }
}

function summarize(h: Histogram): {
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  count: number;
} {
  const ms = (v: number | undefined): number | undefined =>
    v === undefined ? undefined : round(v * 1000, 1);
  return { p50Ms: ms(quantile(h, 0.5)), p99Ms: ms(quantile(h, 0.99)), count: h.count };
}

function diffCounters(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    out[k] = /^(snapshots|gc)_/.test(k) ? round(v - (before[k] ?? 0), 3) : v;
  }
  return out;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export interface SweepOutcome {
  readonly steps: StepResult[];
  /** Per system: where and why its sweep stopped, or that it went through. */
  readonly stopped: Record<string, string>;
}

/** Runs the sweep, interleaving systems at each stream count. */
export async function runSweep(
  systems: readonly LiveSystem[],
  streamCounts: readonly number[],
  params: LiveParams,
  log: (line: string) => void,
): Promise<SweepOutcome> {
  const steps: StepResult[] = [];
  const stopped: Record<string, string> = {};
  const lastPerStream = new Map<string, number>();
  for (const system of systems) {
    const reason = await system.unavailable();
    if (reason) {
      stopped[system.id] = `skipped: ${reason}`;
      log(`${system.id}: skipped — ${reason}`);
    }
  }
  for (const n of streamCounts) {
    for (const system of systems) {
      if (stopped[system.id]) continue;
      const perStream = lastPerStream.get(system.id);
      if (perStream !== undefined && perStream * n > 0.8 * memAvailableBytes()) {
        stopped[system.id] =
          `stopped before ${n} streams: would need ~${Math.round((perStream * n) / MB)} MB of memory`;
        continue;
      }
      log(`${system.id} × ${n} streams`);
      const result = await runStep(system, n, params, log);
      steps.push(result);
      if (result.status === 'unavailable') {
        stopped[system.id] = `not available yet: ${result.reason}`;
        log(`  not available yet — ${result.reason}`);
      } else if (result.status === 'failed') {
        stopped[system.id] = `failed at ${n} streams: ${result.reason}`;
        log(`  failed — ${result.reason}`);
      } else {
        const s = result.server!;
        log(
          `  server ${s.cpuSecondsPerStreamPerMin} CPU-s/stream/min, ` +
            `${s.rssPerStreamMB} MB RSS/stream, snapshots ${result.snapshots!.produced}/${result.snapshots!.expected}` +
            (result.stopReason ? ` — ${result.stopReason}` : ''),
        );
        // PSS when known: RSS counts the libraries shared by many ffmpeg processes N times.
        lastPerStream.set(system.id, Math.max(0, (s.loaded.pssBytes ?? s.loaded.rssBytes) / n));
        if (result.stopReason) stopped[system.id] = `stopped at ${n} streams: ${result.stopReason}`;
      }
    }
  }
  for (const system of systems) {
    stopped[system.id] ??= `kept up through ${streamCounts.at(-1)} streams`;
  }
  return { steps, stopped };
}
