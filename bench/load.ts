/**
 * The load generator: N RTMP publishers in one process replaying the same pre-chunked clip,
 * paced in real time by timestamp. Each tag is chunked once per loop and the same Buffer is
 * written to every stream (timestamps are relative to each stream's start).
 *
 * Streams are spread over `phases` start offsets across `spreadMs` (real encoders are not
 * aligned: with every stream in step, all keyframes, and so all snapshots, would land at the
 * same instant). Streams of one phase are written together; `phases: 1, spreadMs: 0` puts
 * every stream in step. Run it in its own process (`load-process.ts`) so its CPU is
 * measured apart from the server's.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { NetStatus } from '../src/ingest/rtmp/commands.js';
import { RtmpPublishClient } from '../src/ingest/rtmp/publish-client.js';
import { readClip, type FlvClip } from './flv-clip.js';
import { buildLoop, type ScheduledChunk } from './replay-schedule.js';

export interface LoadOptions {
  readonly clipPath: string;
  readonly host: string;
  readonly port: number;
  readonly app: string;
  readonly streams: readonly string[];
  /** tcUrl sent in `connect`; its host is the streaming domain. */
  readonly tcUrl: string;
  readonly chunkSize?: number;
  /** How many publishes are in flight at once while connecting. */
  readonly concurrency?: number;
  /** Start offsets are spread evenly over this many ms (0 = all in step). */
  readonly spreadMs?: number;
  /** Number of distinct start offsets; streams are dealt to them round-robin. */
  readonly phases?: number;
}

export interface PublishReport {
  readonly published: number;
  readonly failed: { stream: string; error: string }[];
  readonly ms: number;
}

export interface LoadStats {
  readonly streams: number;
  readonly open: number;
  readonly closed: { stream: string; reason: string }[];
  readonly phases: number;
  readonly spreadMs: number;
  readonly loops: number;
  readonly playedMs: number;
  /** Media bytes per second of the clip (video + audio tag bodies). */
  readonly clipBytesPerSecond: number;
  readonly bytesWritten: number;
  /** How late the pacing timer ran behind the due time of the chunks it wrote. */
  readonly lagMeanMs: number;
  readonly lagMaxMs: number;
  /** Largest socket write backlog seen (bytes queued in Node), and in ms of media. */
  readonly maxBacklogBytes: number;
  readonly maxBacklogMs: number;
  /** Streams whose backlog ever exceeded one second of media. */
  readonly streamsBacklogged: number;
}

interface Publisher {
  readonly name: string;
  readonly client: RtmpPublishClient;
  /** Why the connection ended, once it has. */
  closedReason?: string;
}

/** Streams that share a start offset and a message stream id: written together. */
interface Phase {
  readonly offsetMs: number;
  readonly streamId: number;
  readonly publishers: Publisher[];
  loop: number;
  index: number;
}

/** What FFmpeg and OBS announce with Set Chunk Size: a 1080p frame takes several chunks. */
export const DEFAULT_CHUNK_SIZE = 4096;
const PUBLISH_TIMEOUT_MS = 10_000;
/** Ticks closer together than this are merged (bounds timer wake-ups with many phases). */
const MIN_TICK_MS = 4;

export class LoadGenerator {
  readonly #options: LoadOptions;
  readonly #chunkSize: number;
  #clip: FlvClip | undefined;
  readonly #publishers: Publisher[] = [];
  #phases: Phase[] = [];
  /** Chunked loops, by `${streamId}:${loop}`; built once, shared by every phase. */
  readonly #loops = new Map<string, ScheduledChunk[]>();
  readonly #building = new Set<string>();
  readonly #backlogged = new Set<string>();
  readonly #closed: { stream: string; reason: string }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #t0 = 0;
  #bytesWritten = 0;
  #lagSum = 0;
  #lagCount = 0;
  #lagMax = 0;
  #maxBacklog = 0;
  #stopped = false;

  constructor(options: LoadOptions) {
    this.#options = options;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  get clip(): FlvClip {
    if (!this.#clip) throw new Error('clip not loaded');
    return this.#clip;
  }

  /** Reads the clip, connects and publishes every stream. */
  async publishAll(): Promise<PublishReport> {
    const started = performance.now();
    this.#clip = readClip(await readFile(this.#options.clipPath));
    const { streams, host, port, app, tcUrl } = this.#options;
    const failed: { stream: string; error: string }[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < streams.length) {
        const name = streams[next++]!;
        try {
          const client = await RtmpPublishClient.connect({
            host,
            port,
            app,
            tcUrl,
            chunkSize: this.#chunkSize,
            timeoutMs: PUBLISH_TIMEOUT_MS,
          });
          const code = await client.publish(name).then(
            (status) => status['code'],
            (err: unknown) => err,
          );
          if (code !== NetStatus.PublishStart) {
            client.socket.destroy();
            if (code instanceof Error) throw code;
            throw new Error(`server refused the publish: ${String(code)}`);
          }
          this.#add(name, client);
        } catch (err) {
          failed.push({ stream: name, error: err instanceof Error ? err.message : String(err) });
        }
      }
    };
    const concurrency = Math.max(1, this.#options.concurrency ?? 16);
    await Promise.all(Array.from({ length: concurrency }, worker));
    // Keep the order of the stream list, whatever order the publishes completed in.
    const order = new Map(streams.map((s, i) => [s, i]));
    this.#publishers.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
    return {
      published: streams.length - failed.length,
      failed,
      ms: Math.round(performance.now() - started),
    };
  }

  #add(name: string, client: RtmpPublishClient): void {
    const publisher: Publisher = { name, client };
    this.#publishers.push(publisher);
    client.socket.on('error', (err) => {
      publisher.closedReason ??= err.message;
    });
    client.socket.on('close', () => {
      if (!this.#stopped) {
        this.#closed.push({
          stream: name,
          reason: publisher.closedReason ?? 'closed by the server',
        });
      }
    });
  }

  #spread(): { phases: number; spreadMs: number } {
    const spreadMs = Math.max(0, this.#options.spreadMs ?? 0);
    const phases =
      spreadMs === 0
        ? 1
        : Math.max(1, Math.min(this.#options.phases ?? 50, this.#publishers.length));
    return { phases, spreadMs };
  }

  /** Starts the real-time replay on every published stream. */
  play(): void {
    if (this.#publishers.length === 0) return;
    const { phases, spreadMs } = this.#spread();
    const byKey = new Map<string, Phase>();
    this.#publishers.forEach((publisher, i) => {
      const slot = i % phases;
      const streamId = publisher.client.messageStreamId;
      const key = `${slot}:${streamId}`;
      let phase = byKey.get(key);
      if (!phase) {
        phase = {
          offsetMs: (slot * spreadMs) / phases,
          streamId,
          publishers: [],
          loop: 0,
          index: 0,
        };
        byKey.set(key, phase);
      }
      phase.publishers.push(publisher);
    });
    this.#phases = [...byKey.values()].sort((a, b) => a.offsetMs - b.offsetMs);
    for (const phase of this.#phases) this.#schedule(phase.streamId, 0);
    this.#t0 = performance.now();
    this.#tick();
  }

  /** The chunks of one loop, built on first use; the next loop is built ahead, off the beat. */
  #schedule(streamId: number, loop: number): ScheduledChunk[] {
    const key = `${streamId}:${loop}`;
    let chunks = this.#loops.get(key);
    if (!chunks) {
      chunks = buildLoop(this.clip, loop, streamId, this.#chunkSize);
      this.#loops.set(key, chunks);
    }
    const ahead = `${streamId}:${loop + 1}`;
    if (!this.#loops.has(ahead) && !this.#building.has(ahead)) {
      this.#building.add(ahead);
      setImmediate(() => {
        this.#building.delete(ahead);
        if (!this.#stopped && !this.#loops.has(ahead)) {
          this.#loops.set(ahead, buildLoop(this.clip, loop + 1, streamId, this.#chunkSize));
        }
      });
    }
    return chunks;
  }

  #tick(): void {
    if (this.#stopped) return;
    const now = performance.now() - this.#t0;
    let nextDue = Infinity;
    for (const phase of this.#phases) {
      const local = now - phase.offsetMs;
      const due: Buffer[] = [];
      let firstDue: number | undefined;
      let schedule = this.#schedule(phase.streamId, phase.loop);
      while (local >= 0) {
        const chunk = schedule[phase.index];
        if (!chunk) {
          phase.loop++;
          phase.index = 0;
          schedule = this.#schedule(phase.streamId, phase.loop);
          continue;
        }
        if (chunk.dueMs > local) break;
        firstDue ??= chunk.dueMs;
        due.push(chunk.bytes);
        phase.index++;
      }
      if (firstDue !== undefined) {
        const lag = local - firstDue;
        this.#lagSum += lag;
        this.#lagCount++;
        if (lag > this.#lagMax) this.#lagMax = lag;
        this.#write(phase, due.length === 1 ? due[0]! : Buffer.concat(due));
      }
      const upcoming = schedule[phase.index]?.dueMs ?? 0;
      nextDue = Math.min(nextDue, upcoming + phase.offsetMs);
    }
    this.#evict();
    const wait = nextDue - (performance.now() - this.#t0);
    this.#timer = setTimeout(() => this.#tick(), Math.max(MIN_TICK_MS, wait));
  }

  /** Drops chunked loops no phase will play again. */
  #evict(): void {
    const oldest = Math.min(...this.#phases.map((p) => p.loop));
    for (const key of this.#loops.keys()) {
      if (Number(key.split(':')[1]) < oldest) this.#loops.delete(key);
    }
  }

  #write(phase: Phase, bytes: Buffer): void {
    const oneSecond = this.#bytesPerSecond();
    for (const { name, client } of phase.publishers) {
      if (client.socket.destroyed) continue;
      client.socket.write(bytes);
      this.#bytesWritten += bytes.length;
      const backlog = client.socket.writableLength;
      if (backlog > this.#maxBacklog) this.#maxBacklog = backlog;
      if (backlog > oneSecond) this.#backlogged.add(name);
    }
  }

  #bytesPerSecond(): number {
    const clip = this.clip;
    return ((clip.videoBytes + clip.audioBytes) * 1000) / clip.durationMs;
  }

  stats(): LoadStats {
    const perSecond = this.#clip ? this.#bytesPerSecond() : 0;
    const { phases, spreadMs } = this.#spread();
    return {
      streams: this.#publishers.length,
      open: this.#publishers.filter((p) => !p.client.socket.destroyed).length,
      closed: [...this.#closed],
      phases,
      spreadMs,
      loops: this.#phases.length ? Math.min(...this.#phases.map((p) => p.loop)) : 0,
      playedMs: this.#t0 ? Math.round(performance.now() - this.#t0) : 0,
      clipBytesPerSecond: Math.round(perSecond),
      bytesWritten: this.#bytesWritten,
      lagMeanMs: this.#lagCount ? round(this.#lagSum / this.#lagCount) : 0,
      lagMaxMs: round(this.#lagMax),
      maxBacklogBytes: this.#maxBacklog,
      maxBacklogMs: perSecond ? Math.round((this.#maxBacklog / perSecond) * 1000) : 0,
      streamsBacklogged: this.#backlogged.size,
    };
  }

  /** Stops the replay and closes every connection. */
  close(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const { client } of this.#publishers) client.socket.destroy();
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
