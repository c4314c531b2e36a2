/**
 * The callback outbox (DESIGN.md §3 "Callbacks"): one row per (event, receiver), written in
 * the same transaction as whatever it announces, delivered later by src/notify. Part of
 * the Catalog contract (test/catalog-contract.test.ts). Times are Unix milliseconds.
 */

/** Where an outbox entry is in its life. */
export const CallbackState = {
  /** Waiting for its next attempt (due at `nextAttemptAt`). */
  Pending: 'pending',
  /** Claimed by the dispatcher; back to pending if the process dies meanwhile. */
  Delivering: 'delivering',
  /** The receiver answered 2xx (pruned after the retention period). */
  Delivered: 'delivered',
  /** Given up: a non-retryable answer or the retry budget spent. Redeliverable. */
  Dead: 'dead',
} as const;
export type CallbackState = (typeof CallbackState)[keyof typeof CallbackState];

export const CALLBACK_STATES: readonly CallbackState[] = Object.values(CallbackState);

/** A new outbox entry. */
export interface CallbackEntryInput {
  /** Stable id sent with every attempt (X-Livesnap-Event-Id); unique. */
  eventId: string;
  /** The body's `Event` value, e.g. `LiveSnapshot`. */
  event: string;
  domainName: string;
  /** The receiver (http/https URL). */
  url: string;
  /** `host:port` of `url`: the unit of per-host concurrency. */
  origin: string;
  /** The JSON body. */
  body: string;
  createdAt: number;
}

export interface CallbackEntry extends CallbackEntryInput {
  state: CallbackState;
  /** Attempts started so far (a claim counts one). */
  attempts: number;
  nextAttemptAt: number;
  /** HTTP status of the last answer, if there was one. */
  lastStatus?: number;
  lastError?: string;
  updatedAt: number;
}

export interface CallbackClaimQuery {
  now: number;
  /** At most this many entries. */
  limit: number;
  /** At most this many entries in flight per origin, counting `inFlight`. */
  maxPerOrigin: number;
  /** Entries of each origin already being delivered. */
  inFlight: ReadonlyMap<string, number>;
}

/** The outcome of one attempt, as the dispatcher records it. */
export type CallbackCompletion =
  | { eventId: string; at: number; state: 'delivered'; status: number }
  | {
      eventId: string;
      at: number;
      state: 'pending';
      nextAttemptAt: number;
      status?: number;
      error: string;
      /** Overrides the attempt count (an attempt cut short by shutdown is not counted). */
      attempts?: number;
    }
  | { eventId: string; at: number; state: 'dead'; status?: number; error: string };

export interface CallbackListQuery {
  state: CallbackState;
  domainName?: string;
  /** Newest change first. */
  offset: number;
  limit: number;
}

export interface CallbackListResult {
  total: number;
  items: CallbackEntry[];
}

export interface CallbackRedeliverQuery {
  /** Dead entries to redeliver; omitted = every dead entry (of `domainName` when given). */
  eventIds?: string[];
  domainName?: string;
  now: number;
}

export interface CallbackPruneQuery {
  /** Delivered entries last changed before this time are deleted. */
  deliveredBefore: number;
  /** Dead entries last changed before this time are deleted. */
  deadBefore: number;
}

export type CallbackCounts = Record<CallbackState, number>;

/** The outbox part of the Catalog interface. */
export interface CallbackOutbox {
  /** Adds entries (all or none). */
  enqueueCallbacks(entries: CallbackEntryInput[]): Promise<void>;
  /**
   * Marks up to `limit` due pending entries `delivering` (oldest due first, respecting the
   * per-origin limit), counts one attempt on each, and returns them.
   */
  claimCallbacks(query: CallbackClaimQuery): Promise<CallbackEntry[]>;
  /** Records attempt outcomes (one transaction); unknown ids are ignored. */
  completeCallbacks(completions: CallbackCompletion[]): Promise<void>;
  /** Puts entries left `delivering` (a crash) back to pending, due now; returns how many. */
  releaseCallbacks(now: number): Promise<number>;
  /** Earliest `nextAttemptAt` of a pending entry; undefined when none. */
  nextCallbackDueAt(): Promise<number | undefined>;
  getCallback(eventId: string): Promise<CallbackEntry | undefined>;
  listCallbacks(query: CallbackListQuery): Promise<CallbackListResult>;
  /** Dead entries back to pending with a fresh retry budget; returns how many. */
  redeliverCallbacks(query: CallbackRedeliverQuery): Promise<number>;
  /** Deletes old delivered and dead entries; returns how many. */
  pruneCallbacks(query: CallbackPruneQuery): Promise<number>;
  countCallbacks(): Promise<CallbackCounts>;
}
