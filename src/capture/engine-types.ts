import type { AccessUnit, CodecConfig, StreamKey } from '../stream/stream-types.js';

/** The snapshot rule in force for a stream, fixed when its publish starts. */
export interface CaptureRule {
  readonly domain: string;
  /** The AppName of the rule ("*" for a domain-wide rule). */
  readonly ruleApp: string;
  readonly timeIntervalSec: number;
  readonly endpoint: string;
  readonly bucket: string;
  readonly overwriteObject?: string;
  readonly sequenceObject?: string;
  readonly callback?: string;
}

/**
 * What the engine needs to find rules: exact AppName wins over "*". `stream` is given for
 * sources whose rules are per stream (live snapshot jobs: src/jobs/live-job-rules.ts).
 */
export interface RuleSource {
  resolveRule(domain: string, app: string, stream?: string): Promise<CaptureRule | undefined>;
}

export interface EncodedSnapshot {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
}

/** Keyframe → JPEG, shared by all streams, with its own bounded concurrency and backlog. */
export interface KeyframeEncoder {
  /** Rejects with CaptureOverloadedError when full (the snapshot is skipped, not queued). */
  decode(config: CodecConfig, unit: AccessUnit): Promise<EncodedSnapshot>;
  /**
   * Whether decode() would take a keyframe now. When false the engine does not call it: it
   * skips the keyframe and lets the next one be captured instead (counted via refused()).
   */
  accepting?(): boolean;
  /** Counts a keyframe refused because accepting() said false. */
  refused?(): void;
}

/** A captured JPEG, ready to be stored under the rule's names and recorded. */
export interface CapturedSnapshot {
  readonly key: StreamKey;
  readonly rule: CaptureRule;
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  /** Capture wall-clock time, ms since the epoch. */
  readonly capturedAt: number;
  /** The keyframe's stream timestamp (ms). */
  readonly streamTs: number;
}

/** One stored object and its catalog row, as announced to listeners. */
export interface StoredSnapshot {
  readonly key: StreamKey;
  readonly endpoint: string;
  readonly bucket: string;
  readonly object: string;
  readonly isOverlay: boolean;
  readonly createTimestamp: number;
  readonly width: number;
  readonly height: number;
  readonly size: number;
  readonly callback?: string;
}

/** What storing one capture did: the objects stored and any that failed. */
export interface StoreOutcome {
  readonly stored: StoredSnapshot[];
  readonly failures: ReadonlyArray<{ readonly object?: string; readonly error: unknown }>;
}

/** Stores a captured JPEG under the rule's names and commits its catalog rows. */
export interface SnapshotSink {
  store(snapshot: CapturedSnapshot): Promise<StoreOutcome>;
}

/** Status of one live stream's capture, for the stream status action and the console. */
export interface CaptureStatus {
  readonly domain: string;
  readonly app: string;
  readonly stream: string;
  readonly rule: CaptureRule | undefined;
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly keyframeIntervalMs: number;
  readonly keyframeIntervalTooLong: boolean;
  readonly taken: number;
  readonly skipped: number;
  readonly failed: number;
  readonly lastSnapshotAt: number | undefined;
  readonly lastError: string | undefined;
}
