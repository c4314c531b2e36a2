import type { CallbackEntryInput, CallbackOutbox } from './callback-types.js';
import type { LiveJobCatalog } from './live-job-catalog-types.js';
import type { SnapshotJobCatalog } from './snapshot-job-types.js';

export type * from './callback-types.js';
export type * from './live-job-catalog-types.js';
export type * from './snapshot-job-types.js';

/**
 * The catalog: livesnap's database of access keys, snapshot rules, per-domain notify
 * settings and snapshot records. Every method is async so a networked implementation
 * (PostgreSQL) fits behind the same interface; every implementation must pass
 * test/catalog-contract.test.ts.
 *
 * Domain names are case-insensitive: implementations store and compare them in lower
 * case. App and stream names are case-sensitive. Times are Unix milliseconds.
 */

export interface AccessKeyRecord {
  accessKeyId: string;
  accessKeySecret: string;
  active: boolean;
  /** The service's root key (from config or generated); at most one is active. */
  isRoot: boolean;
  createdAt: number;
}

/** The settable fields of a snapshot rule (spec §2.1). */
export interface SnapshotRuleFields {
  timeInterval: number;
  ossEndpoint: string;
  ossBucket: string;
  overwriteOssObject?: string;
  sequenceOssObject?: string;
  callback?: string;
}

export interface SnapshotRule extends SnapshotRuleFields {
  domainName: string;
  /** An app name, or `*` for the domain-wide rule. */
  appName: string;
  createdAt: number;
  updatedAt: number;
}

export type SortOrder = 'asc' | 'desc';

export interface RuleListQuery {
  domainName: string;
  /** Omitted = every rule of the domain; `*` = only the domain-wide rule. */
  appName?: string;
  /** By creation time (ties: creation order). */
  order: SortOrder;
  offset: number;
  limit: number;
}

export interface RuleListResult {
  total: number;
  items: SnapshotRule[];
}

/**
 * Per-domain notification settings: the domain NotifyUrl (spec §2.7) and the one
 * callback-auth setting shared by the notify-config and callback-auth actions (§2.8).
 */
export interface DomainNotifySettings {
  domainName: string;
  notifyUrl?: string;
  authEnabled: boolean;
  authKey?: string;
  updatedAt: number;
}

/** One stored snapshot object (DESIGN §3 "Records"). */
export interface SnapshotRecord {
  domainName: string;
  appName: string;
  streamName: string;
  ossEndpoint: string;
  ossBucket: string;
  ossObject: string;
  /** Capture time, ms. */
  createTimestamp: number;
  /** True for the overwrite-mode object. */
  isOverlay: boolean;
  width: number;
  height: number;
  size: number;
}

export interface StreamKey {
  domainName: string;
  appName: string;
  streamName: string;
}

export interface RecordListQuery extends StreamKey {
  /** Inclusive, ms. */
  startMs: number;
  /** Exclusive, ms. */
  endMs: number;
  order: SortOrder;
  limit: number;
}

export interface RecordPage {
  items: SnapshotRecord[];
  /** CreateTimestamp of the first record past `limit`; absent when there is none. */
  nextCreateTimestamp?: number;
}

export interface RecordDeleteResult {
  /** Rows removed (several may share one timestamp: overwrite + sequence objects). */
  deleted: SnapshotRecord[];
  /** Requested timestamps that matched no row. */
  missing: number[];
}

export interface DailySnapshotCount {
  domainName: string;
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
  count: number;
}

export interface Catalog extends CallbackOutbox, LiveJobCatalog, SnapshotJobCatalog {
  /** Opens the database and applies pending migrations (in one transaction). */
  start(): Promise<void>;
  close(): Promise<void>;

  // ── access keys ──
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** Inserts or replaces a key. */
  putAccessKey(key: AccessKeyRecord): Promise<void>;
  /** Makes `accessKeyId` the only active root key (others become inactive). */
  setRootAccessKey(key: Omit<AccessKeyRecord, 'isRoot' | 'active'>): Promise<void>;
  setAccessKeyActive(accessKeyId: string, active: boolean): Promise<boolean>;
  listAccessKeys(): Promise<AccessKeyRecord[]>;

  // ── snapshot rules ──
  /** False when a rule for (domain, app) already exists (nothing written). */
  insertRule(rule: SnapshotRule): Promise<boolean>;
  /**
   * Read-modify-write in one transaction. `apply` gets the current rule and returns the
   * new fields; if it throws, nothing is written and the error propagates. Undefined when
   * no rule exists.
   */
  updateRule(
    domainName: string,
    appName: string,
    apply: (current: SnapshotRule) => SnapshotRuleFields,
    now: number,
  ): Promise<SnapshotRule | undefined>;
  deleteRule(domainName: string, appName: string): Promise<boolean>;
  getRule(domainName: string, appName: string): Promise<SnapshotRule | undefined>;
  listRules(query: RuleListQuery): Promise<RuleListResult>;
  /** The rule in force for a publish: the exact AppName rule, else the domain's `*`. */
  resolveRule(domainName: string, appName: string): Promise<SnapshotRule | undefined>;

  // ── domain notify settings ──
  getNotifySettings(domainName: string): Promise<DomainNotifySettings | undefined>;
  /**
   * Read-modify-write in one transaction; `apply` returns the new settings (without
   * domainName/updatedAt) or undefined to delete them. Returns what is stored afterwards.
   */
  updateNotifySettings(
    domainName: string,
    apply: (
      current: DomainNotifySettings | undefined,
    ) => Omit<DomainNotifySettings, 'domainName' | 'updatedAt'> | undefined,
    now: number,
  ): Promise<DomainNotifySettings | undefined>;

  // ── snapshot records ──
  /**
   * Adds a record. An overlay record replaces earlier overlay records of the same object
   * (the object was overwritten, so they no longer describe anything stored). `callbacks`
   * (outbox entries announcing the record) are written in the same transaction: both or
   * neither.
   */
  insertSnapshotRecord(record: SnapshotRecord, callbacks?: CallbackEntryInput[]): Promise<void>;
  listSnapshotRecords(query: RecordListQuery): Promise<RecordPage>;
  findSnapshotRecords(stream: StreamKey, createTimestamps: number[]): Promise<SnapshotRecord[]>;
  deleteSnapshotRecords(stream: StreamKey, createTimestamps: number[]): Promise<RecordDeleteResult>;
  /** Records per (domain, UTC day) in [startMs, endMs); all domains when none given. */
  countSnapshotsByDay(
    startMs: number,
    endMs: number,
    domainNames?: string[],
  ): Promise<DailySnapshotCount[]>;
  /** Deletes records captured before `beforeMs`; returns how many. */
  pruneSnapshotRecords(beforeMs: number): Promise<number>;
  /** 1, 2, 3… per stream, atomically, persistent across re-pushes and restarts. */
  nextSequence(stream: StreamKey): Promise<number>;
  /** True when the stream ever had a sequence number or has a record. */
  isKnownStream(stream: StreamKey): Promise<boolean>;
}
