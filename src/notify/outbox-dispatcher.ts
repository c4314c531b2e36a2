import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CallbackCompletion,
  CallbackEntry,
  Catalog,
  DomainNotifySettings,
} from '../catalog/catalog-types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { CallbackEvent } from './callback-events.js';
import type { CallbackSender } from './callback-sender.js';
import { signingHeaders } from './callback-signing.js';
import type { ObjectUrl } from './object-url.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';

/** What the dispatcher needs from the catalog. */
export type DispatcherCatalog = Pick<
  Catalog,
  | 'claimCallbacks'
  | 'completeCallbacks'
  | 'releaseCallbacks'
  | 'nextCallbackDueAt'
  | 'pruneCallbacks'
  | 'getNotifySettings'
>;

export interface OutboxDispatcherOptions {
  catalog: DispatcherCatalog;
  sender: CallbackSender;
  policy: RetryPolicy;
  /** Deliveries in flight, in all. */
  concurrency: number;
  /** Deliveries in flight per origin (host:port). */
  perHostConcurrency: number;
  /** Longest sleep between two looks at the outbox. */
  pollIntervalMs: number;
  deliveredRetentionMs: number;
  deadRetentionMs: number;
  /** Recomputes a LiveSnapshot body's `Url` at each attempt (fresh signed URLs). */
  objectUrl?: ObjectUrl;
  userAgent: string;
  logger: Logger;
  now?: () => number;
  random?: () => number;
}

/** Request headers livesnap sets on every callback. */
export const CallbackHeader = {
  EventId: 'X-Livesnap-Event-Id',
  Event: 'X-Livesnap-Event',
  Attempt: 'X-Livesnap-Attempt',
} as const;

export interface DispatcherStats {
  inFlight: number;
  delivered: number;
  retried: number;
  dead: number;
}

/** How often old delivered and dead entries are pruned. */
const PRUNE_INTERVAL_MS = 60_000;
/** On close, in-flight attempts get this long to finish before they are cut short. */
const CLOSE_GRACE_MS = 1000;
/** Completions are written together once this many are waiting (else on the next turn). */
const FLUSH_BATCH = 256;

interface Active {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/**
 * Delivers the callback outbox: claims due entries within the global and per-origin limits,
 * POSTs them, and records each outcome (delivered, retry at a time, dead) as the retry policy
 * decides. Nothing but the in-flight attempts lives in memory; the outbox is the queue. One
 * slow or hostile receiver holds at most `perHostConcurrency` slots, each for at most the
 * sender's timeout, so deliveries to other receivers go on.
 */
export class OutboxDispatcher {
  readonly #o: OutboxDispatcherOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #log: Logger;
  readonly #active = new Map<string, Active>();
  readonly #inFlight = new Map<string, number>();
  #completions: CallbackCompletion[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerDue = 0;
  #immediate: NodeJS.Immediate | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #pumping = false;
  #again = false;
  #started = false;
  #closed = false;
  readonly #stats = { delivered: 0, retried: 0, dead: 0 };

  constructor(options: OutboxDispatcherOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#log = options.logger;
  }

  get stats(): DispatcherStats {
    return { inFlight: this.#active.size, ...this.#stats };
  }

  /** Puts entries a crash left `delivering` back in line, prunes, and starts delivering. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const released = await this.#o.catalog.releaseCallbacks(this.#now());
    if (released > 0) this.#log.info({ released }, 'callbacks interrupted by a restart requeued');
    await this.#prune();
    this.#pruneTimer = setInterval(() => void this.#prune(), PRUNE_INTERVAL_MS);
    this.#pruneTimer.unref();
    this.wake();
  }

  /** New entries were committed: look at the outbox now. */
  wake(): void {
    this.#schedule(0);
  }

  /**
   * Stops claiming, gives in-flight attempts a moment, cuts the rest short (they stay
   * pending, attempt not counted) and writes every outcome.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    clearInterval(this.#pruneTimer);
    const running = () => Promise.allSettled([...this.#active.values()].map((a) => a.done));
    if (this.#active.size > 0) {
      const grace = new AbortController();
      await Promise.race([running(), sleep(CLOSE_GRACE_MS, undefined, { signal: grace.signal })]);
      grace.abort();
      for (const a of this.#active.values()) a.abort.abort();
      await running();
    }
    await this.#flush();
  }

  #schedule(delayMs: number): void {
    if (this.#closed || !this.#started) return;
    if (delayMs <= 0) {
      // on the next turn (a 0 ms timer would wait at least 1 ms); many wakes, one pump
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        void this.#pump();
      });
      return;
    }
    const due = this.#now() + delayMs;
    if (this.#timer !== undefined && this.#timerDue <= due) return;
    clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#pump();
    }, delayMs);
  }

  async #pump(): Promise<void> {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    const { catalog, pollIntervalMs } = this.#o;
    try {
      do {
        this.#again = false;
        const free = this.#o.concurrency - this.#active.size;
        if (free <= 0) break; // a finishing attempt wakes us
        const now = this.#now();
        const claimed = await catalog.claimCallbacks({
          now,
          limit: free,
          maxPerOrigin: this.#o.perHostConcurrency,
          inFlight: this.#inFlight,
        });
        for (const entry of claimed) this.#begin(entry);
        if (claimed.length < free) {
          // Nothing more can go now: sleep until the next entry is due (entries that are
          // due but wait for a busy origin are picked up when an attempt finishes).
          const next = await catalog.nextCallbackDueAt();
          const wait = next !== undefined && next > now ? next - now : pollIntervalMs;
          this.#schedule(Math.min(wait, pollIntervalMs));
        }
      } while (this.#again && !this.#closed);
    } catch (err) {
      this.#log.error({ err: errorMessage(err) }, 'callback outbox unavailable');
      this.#schedule(pollIntervalMs);
    } finally {
      this.#pumping = false;
    }
  }

  #begin(entry: CallbackEntry): void {
    const origin = entry.origin;
    this.#inFlight.set(origin, (this.#inFlight.get(origin) ?? 0) + 1);
    const abort = new AbortController();
    const done = this.#deliver(entry, abort.signal).finally(() => {
      this.#active.delete(entry.eventId);
      const left = (this.#inFlight.get(origin) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(origin, left);
      else this.#inFlight.delete(origin);
      this.wake();
    });
    this.#active.set(entry.eventId, { abort, done });
  }

  async #deliver(entry: CallbackEntry, signal: AbortSignal): Promise<void> {
    const { policy, sender } = this.#o;
    let result;
    try {
      const settings = await this.#o.catalog.getNotifySettings(entry.domainName);
      const request = {
        url: entry.url,
        headers: this.#headers(entry, settings),
        body: this.#body(entry),
      };
      result = await sender.send(request, signal);
    } catch (err) {
      result = { kind: 'network', message: `livesnap: ${errorMessage(err)}` } as const;
    }
    const at = this.#now();
    if (signal.aborted) {
      // cut short by shutdown: not the receiver's fault, so the attempt does not count
      this.#complete({
        eventId: entry.eventId,
        at,
        state: 'pending',
        nextAttemptAt: at,
        error: 'interrupted by shutdown',
        attempts: entry.attempts - 1,
      });
      return;
    }
    const httpStatus = result.kind === 'response' ? result.status : undefined;
    const status = httpStatus !== undefined ? { status: httpStatus } : {};
    const preview = 'preview' in result && result.preview ? ` ${result.preview}` : '';
    const decision = decideRetry(result, entry.attempts, policy, at, this.#random());
    const log = { eventId: entry.eventId, url: entry.url, attempt: entry.attempts };
    switch (decision.action) {
      case 'delivered':
        this.#stats.delivered++;
        this.#log.debug(log, 'callback delivered');
        this.#complete({ eventId: entry.eventId, at, state: 'delivered', status: httpStatus ?? 0 });
        break;
      case 'retry':
        this.#stats.retried++;
        this.#log.debug(
          { ...log, reason: decision.reason, delayMs: decision.delayMs },
          'callback retry',
        );
        this.#complete({
          eventId: entry.eventId,
          at,
          state: 'pending',
          nextAttemptAt: at + decision.delayMs,
          error: decision.reason + preview,
          ...status,
        });
        break;
      case 'dead':
        this.#stats.dead++;
        this.#log.warn({ ...log, reason: decision.reason }, 'callback dead-lettered');
        this.#complete({
          eventId: entry.eventId,
          at,
          state: 'dead',
          error: decision.reason + preview,
          ...status,
        });
        break;
    }
  }

  #headers(entry: CallbackEntry, settings: DomainNotifySettings | undefined) {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': this.#o.userAgent,
      [CallbackHeader.EventId]: entry.eventId,
      [CallbackHeader.Event]: entry.event,
      [CallbackHeader.Attempt]: String(entry.attempts),
    };
    // signing is decided at send time: the domain's current callback-auth setting
    if (settings?.authEnabled && settings.authKey) {
      Object.assign(headers, signingHeaders(entry.url, settings.authKey, this.#now()));
    }
    return headers;
  }

  /** The stored body, with a LiveSnapshot's `Url` computed afresh. */
  #body(entry: CallbackEntry): string {
    const objectUrl = this.#o.objectUrl;
    if (!objectUrl || entry.event !== CallbackEvent.LiveSnapshot) return entry.body;
    try {
      const body = JSON.parse(entry.body) as Record<string, unknown>;
      const { OssEndpoint, OssBucket, OssObject } = body;
      if (
        typeof OssEndpoint !== 'string' ||
        typeof OssBucket !== 'string' ||
        typeof OssObject !== 'string'
      ) {
        return entry.body;
      }
      body.Url = objectUrl(OssEndpoint, OssBucket, OssObject);
      return JSON.stringify(body);
    } catch {
      return entry.body; // as recorded
    }
  }

  #complete(completion: CallbackCompletion): void {
    this.#completions.push(completion);
    if (this.#completions.length >= FLUSH_BATCH) void this.#flush();
    else if (this.#completions.length === 1) setImmediate(() => void this.#flush());
  }

  /** Writes waiting outcomes in one transaction; on failure keeps them for the next try. */
  async #flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#completions.length === 0) return;
    const batch = this.#completions;
    this.#completions = [];
    this.#flushing = this.#o.catalog.completeCallbacks(batch).then(
      () => undefined,
      (err: unknown) => {
        this.#log.error({ err: errorMessage(err), count: batch.length }, 'cannot record callbacks');
        this.#completions.unshift(...batch);
        if (!this.#closed) setTimeout(() => void this.#flush(), this.#o.pollIntervalMs).unref();
      },
    );
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
  }

  async #prune(): Promise<void> {
    const now = this.#now();
    try {
      const pruned = await this.#o.catalog.pruneCallbacks({
        deliveredBefore: now - this.#o.deliveredRetentionMs,
        deadBefore: now - this.#o.deadRetentionMs,
      });
      if (pruned > 0) this.#log.info({ pruned }, 'old callbacks pruned');
    } catch (err) {
      this.#log.error({ err: errorMessage(err) }, 'cannot prune callbacks');
    }
  }
}
