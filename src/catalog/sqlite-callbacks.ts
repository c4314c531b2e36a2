import type { Database, Statement } from 'better-sqlite3';
import { withoutWaitingForDisk } from './sqlite-durability.js';
import {
  CALLBACK_STATES,
  CallbackState,
  type CallbackClaimQuery,
  type CallbackCompletion,
  type CallbackCounts,
  type CallbackEntry,
  type CallbackEntryInput,
  type CallbackListQuery,
  type CallbackListResult,
  type CallbackPruneQuery,
  type CallbackRedeliverQuery,
} from './callback-types.js';

interface CallbackRow {
  event_id: string;
  event: string;
  domain_name: string;
  url: string;
  origin: string;
  body: string;
  state: CallbackState;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS =
  'event_id, event, domain_name, url, origin, body, state, attempts, next_attempt_at, last_status, last_error, created_at, updated_at';

/** Longest last_error kept (a receiver's answer can be anything). */
const MAX_ERROR_LENGTH = 500;
/** Origins looked at per claim (the next claim continues where this one stopped). */
const MAX_ORIGINS_PER_CLAIM = 256;
/** Ids per `IN (…)` list. */
const CHUNK = 500;

function toEntry(r: CallbackRow): CallbackEntry {
  const e: CallbackEntry = {
    eventId: r.event_id,
    event: r.event,
    domainName: r.domain_name,
    url: r.url,
    origin: r.origin,
    body: r.body,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.last_status !== null) e.lastStatus = r.last_status;
  if (r.last_error !== null) e.lastError = r.last_error;
  return e;
}

function clip(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * The callback outbox on SQLite (synchronous; wrapped by SqliteCatalog).
 *
 * Durability: new entries are written like every catalog change (synchronous=FULL: on disk
 * when the call returns). The dispatcher's bookkeeping afterwards (claims, outcomes,
 * redelivery timing) is committed with synchronous=NORMAL: in WAL mode that survives a
 * process crash and only a power loss can undo it — which at worst sends a callback again
 * with the same event id (at-least-once), so it is not worth an fsync per delivery.
 */
export class SqliteCallbacks {
  readonly #insert: Statement;
  readonly #delivered: Statement;
  readonly #retry: Statement;
  readonly #dead: Statement;
  readonly #markDelivering: Statement;
  readonly #nextOrigin: Statement;
  readonly #dueOfOrigin: Statement;
  #originCursor = '';

  constructor(private readonly db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO callback_outbox (event_id, event, domain_name, url, origin, body, state,
         attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    );
    this.#delivered = db.prepare(
      `UPDATE callback_outbox SET state = 'delivered', last_status = ?, last_error = NULL,
         updated_at = ? WHERE event_id = ?`,
    );
    this.#retry = db.prepare(
      `UPDATE callback_outbox SET state = 'pending', next_attempt_at = ?, last_status = ?,
         last_error = ?, attempts = COALESCE(?, attempts), updated_at = ? WHERE event_id = ?`,
    );
    this.#dead = db.prepare(
      `UPDATE callback_outbox SET state = 'dead', last_status = ?, last_error = ?, updated_at = ?
       WHERE event_id = ?`,
    );
    this.#nextOrigin = db.prepare(
      `SELECT origin FROM callback_outbox WHERE state = 'pending' AND origin > ?
       ORDER BY origin LIMIT 1`,
    );
    this.#dueOfOrigin = db.prepare(
      `SELECT id, event_id, next_attempt_at FROM callback_outbox
       WHERE state = 'pending' AND origin = ? AND next_attempt_at <= ?
       ORDER BY next_attempt_at, id LIMIT ?`,
    );
    this.#markDelivering = db.prepare(
      `UPDATE callback_outbox SET state = 'delivering', attempts = attempts + 1, updated_at = ?
       WHERE event_id = ? AND state = 'pending' RETURNING ${COLUMNS}`,
    );
  }

  /** Inserts entries; call inside a transaction to make them atomic with other writes. */
  insertMany(entries: readonly CallbackEntryInput[]): void {
    for (const e of entries) {
      this.#insert.run(
        e.eventId,
        e.event,
        e.domainName.toLowerCase(),
        e.url,
        e.origin,
        e.body,
        e.createdAt,
        e.createdAt,
        e.createdAt,
      );
    }
  }

  enqueue(entries: readonly CallbackEntryInput[]): void {
    if (entries.length === 0) return;
    this.db.transaction(() => this.insertMany(entries)).immediate();
  }

  /**
   * Oldest-due first within each origin, at most `maxPerOrigin − inFlight` per origin, then
   * oldest-due first across origins. Origins are visited through the (state, origin, …)
   * index, so a claim costs O(origins · log n) however large one origin's backlog is.
   */
  claim(q: CallbackClaimQuery): CallbackEntry[] {
    if (q.limit <= 0) return [];
    const tx = this.db.transaction((): CallbackEntry[] => {
      const candidates: Array<{ id: number; event_id: string; next_attempt_at: number }> = [];
      // Visit origins after the cursor, wrapping around once, at most MAX_ORIGINS_PER_CLAIM.
      const start = this.#originCursor;
      let cursor = start;
      let wrapped = start === '';
      let visited = 0;
      while (visited < MAX_ORIGINS_PER_CLAIM) {
        const next = this.#nextOrigin.get(cursor) as { origin: string } | undefined;
        if (!next || (wrapped && start !== '' && next.origin > start)) {
          if (wrapped) break;
          wrapped = true;
          cursor = '';
          continue;
        }
        cursor = next.origin;
        visited++;
        const room = q.maxPerOrigin - (q.inFlight.get(cursor) ?? 0);
        if (room <= 0) continue;
        const rows = this.#dueOfOrigin.all(cursor, q.now, Math.min(room, q.limit)) as Array<{
          id: number;
          event_id: string;
          next_attempt_at: number;
        }>;
        candidates.push(...rows);
      }
      // with more origins than one claim looks at, the next claim goes on from here
      this.#originCursor = visited >= MAX_ORIGINS_PER_CLAIM ? cursor : '';
      candidates.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
      const out: CallbackEntry[] = [];
      for (const c of candidates.slice(0, q.limit)) {
        const row = this.#markDelivering.get(q.now, c.event_id) as CallbackRow | undefined;
        if (row) out.push(toEntry(row));
      }
      return out;
    });
    return withoutWaitingForDisk(this.db, () => tx.immediate());
  }

  complete(completions: readonly CallbackCompletion[]): void {
    if (completions.length === 0) return;
    const tx = this.db.transaction(() => {
      for (const c of completions) {
        if (c.state === CallbackState.Delivered) {
          this.#delivered.run(c.status, c.at, c.eventId);
        } else if (c.state === CallbackState.Pending) {
          this.#retry.run(
            c.nextAttemptAt,
            c.status ?? null,
            clip(c.error),
            c.attempts ?? null,
            c.at,
            c.eventId,
          );
        } else {
          this.#dead.run(c.status ?? null, clip(c.error), c.at, c.eventId);
        }
      }
    });
    withoutWaitingForDisk(this.db, () => tx.immediate());
  }

  release(now: number): number {
    return this.db
      .prepare(
        `UPDATE callback_outbox SET state = 'pending', next_attempt_at = ?, updated_at = ?
         WHERE state = 'delivering'`,
      )
      .run(now, now).changes;
  }

  nextDueAt(): number | undefined {
    const row = this.db
      .prepare(`SELECT MIN(next_attempt_at) AS t FROM callback_outbox WHERE state = 'pending'`)
      .get() as { t: number | null };
    return row.t ?? undefined;
  }

  get(eventId: string): CallbackEntry | undefined {
    const row = this.db
      .prepare(`SELECT ${COLUMNS} FROM callback_outbox WHERE event_id = ?`)
      .get(eventId) as CallbackRow | undefined;
    return row && toEntry(row);
  }

  list(q: CallbackListQuery): CallbackListResult {
    const where = q.domainName === undefined ? 'state = ?' : 'state = ? AND domain_name = ?';
    const args = q.domainName === undefined ? [q.state] : [q.state, q.domainName.toLowerCase()];
    const read = this.db.transaction((): CallbackListResult => {
      const { n } = this.db
        .prepare(`SELECT COUNT(*) AS n FROM callback_outbox WHERE ${where}`)
        .get(...args) as { n: number };
      const rows = this.db
        .prepare(
          `SELECT ${COLUMNS} FROM callback_outbox WHERE ${where}
           ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`,
        )
        .all(...args, q.limit, q.offset) as CallbackRow[];
      return { total: n, items: rows.map(toEntry) };
    });
    return read();
  }

  redeliver(q: CallbackRedeliverQuery): number {
    const set = `UPDATE callback_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?,
      updated_at = ? WHERE state = 'dead'`;
    const domain = q.domainName === undefined ? '' : ' AND domain_name = ?';
    const domainArgs = q.domainName === undefined ? [] : [q.domainName.toLowerCase()];
    const tx = this.db.transaction((): number => {
      if (q.eventIds === undefined) {
        return this.db.prepare(set + domain).run(q.now, q.now, ...domainArgs).changes;
      }
      let changed = 0;
      for (const part of chunks([...new Set(q.eventIds)])) {
        changed += this.db
          .prepare(`${set}${domain} AND event_id IN (${part.map(() => '?').join(',')})`)
          .run(q.now, q.now, ...domainArgs, ...part).changes;
      }
      return changed;
    });
    return tx.immediate();
  }

  prune(q: CallbackPruneQuery): number {
    const tx = this.db.transaction(
      (): number =>
        this.db
          .prepare(
            `DELETE FROM callback_outbox
             WHERE (state = 'delivered' AND updated_at < ?) OR (state = 'dead' AND updated_at < ?)`,
          )
          .run(q.deliveredBefore, q.deadBefore).changes,
    );
    return tx.immediate();
  }

  counts(): CallbackCounts {
    const rows = this.db
      .prepare('SELECT state, COUNT(*) AS n FROM callback_outbox GROUP BY state')
      .all() as Array<{ state: CallbackState; n: number }>;
    const out = Object.fromEntries(CALLBACK_STATES.map((s) => [s, 0])) as CallbackCounts;
    for (const r of rows) out[r.state] = r.n;
    return out;
  }
}
