/**
 * What the live scenario needs from a system under test. Every system is fed the same
 * streams by the same load generator; it differs in how it turns them into JPEGs.
 */

export type SystemId = 'livesnap' | 'nginx-full' | 'nginx-keyframe';

export const SYSTEM_IDS: readonly SystemId[] = ['livesnap', 'nginx-full', 'nginx-keyframe'];

export interface Ingest {
  /** Where the load generator connects. */
  readonly host: string;
  readonly port: number;
  readonly app: string;
  /** tcUrl sent in `connect`; its host is the streaming domain. */
  readonly tcUrl: string;
}

/** Latency histogram counts (cumulative per upper bound, Prometheus style). */
export interface Histogram {
  readonly buckets: readonly { le: number; count: number }[];
  readonly count: number;
  readonly sum: number;
}

export interface LiveSystem {
  readonly id: SystemId;
  /** One line: what it runs. */
  readonly recipe: string;
  /** Why it cannot run on this machine (a binary is missing), or undefined. */
  unavailable(): Promise<string | undefined>;
  /**
   * Seconds between two snapshots of one stream for a rule interval and a keyframe interval:
   * what "expected snapshots" is computed from.
   */
  snapshotPeriod(interval: number, gopS: number): number;
  /** Starts the server idle. Throws `NotAvailable` when it cannot start or serve. */
  start(interval: number): Promise<Ingest>;
  /** Called once the streams are publishing (starts per-stream readers, if any). */
  attach(streams: readonly string[]): Promise<void>;
  /** Root pids of the server's processes; their descendants count too. */
  pids(): number[];
  /** JPEGs stored so far for a stream. */
  snapshots(stream: string): Promise<number>;
  /** Snapshot latency histogram now, if the system exposes one. */
  latency(): Promise<Histogram | undefined>;
  /** The decode part of it (waiting for a decoder included), if the system exposes it. */
  decodeLatency?(): Promise<Histogram | undefined>;
  /** Extra counters worth reporting (e.g. skipped snapshots). */
  counters(): Promise<Record<string, number>>;
  /** After the window: checks that cost requests (e.g. catalog rows vs files). */
  verify(streams: readonly string[]): Promise<Record<string, unknown>>;
  /** Things worth telling the reader (a process exited, stderr tail). */
  notes(): string[];
  stop(): Promise<void>;
}

/** The system cannot run yet (not built, failed to start): reported, never faked. */
export class NotAvailable extends Error {
  override readonly name = 'NotAvailable';
}
