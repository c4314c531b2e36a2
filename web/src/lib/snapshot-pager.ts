import type { SnapshotItem, SnapshotPage } from './api.js';

/**
 * Pages through the snapshots of one stream over any time range. The API answers at most
 * one day per call (EndTime − StartTime ≤ 1 day) and at most `Limit` rows, continuing
 * with `NextStartTime`: the next StartTime in ascending order, the next (exclusive) EndTime
 * in descending order. The pager walks one-day windows from the range's start (asc) or end
 * (desc), follows `NextStartTime` inside a window, skips empty windows, and never returns an
 * empty page while more may follow.
 */

export const WINDOW_MS = 24 * 60 * 60 * 1000;

export interface PagerQuery {
  startMs: number;
  endMs: number;
  order: 'asc' | 'desc';
  limit: number;
}

export type PageFetcher = (q: {
  StartTime: string;
  EndTime: string;
  Order: 'asc' | 'desc';
  Limit: number;
}) => Promise<SnapshotPage>;

/** `yyyy-MM-ddTHH:mm:ssZ` for whole seconds, else with milliseconds. */
function apiTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % 1000 === 0 ? iso.replace(/\.\d{3}Z$/, 'Z') : iso;
}

export class SnapshotPager {
  readonly #q: PagerQuery;
  readonly #fetch: PageFetcher;
  /** Current window [winStart, winEnd); the cursor moves inside it. */
  #winStart: number;
  #winEnd: number;
  #done: boolean;
  /** Calls made (for tests and the "scanned" hint). */
  calls = 0;

  constructor(q: PagerQuery, fetch: PageFetcher) {
    this.#q = q;
    this.#fetch = fetch;
    this.#done = !(q.endMs > q.startMs);
    if (q.order === 'asc') {
      this.#winStart = q.startMs;
      this.#winEnd = Math.min(q.startMs + WINDOW_MS, q.endMs);
    } else {
      this.#winEnd = q.endMs;
      this.#winStart = Math.max(q.endMs - WINDOW_MS, q.startMs);
    }
  }

  get hasMore(): boolean {
    return !this.#done;
  }

  /** The next non-empty page, or [] when nothing is left. */
  async next(): Promise<SnapshotItem[]> {
    while (!this.#done) {
      const page = await this.#fetch({
        StartTime: apiTime(this.#winStart),
        EndTime: apiTime(this.#winEnd),
        Order: this.#q.order,
        Limit: this.#q.limit,
      });
      this.calls++;
      const cursor = page.NextStartTime ? Date.parse(page.NextStartTime) : NaN;
      if (Number.isFinite(cursor)) {
        if (this.#q.order === 'asc') this.#winStart = Math.max(cursor, this.#winStart + 1);
        else this.#winEnd = Math.min(cursor, this.#winEnd - 1);
        if (this.#winEnd <= this.#winStart) this.#advance();
      } else {
        this.#advance();
      }
      if (page.items.length > 0) return page.items;
    }
    return [];
  }

  /** On to the next one-day window, or done. */
  #advance(): void {
    const { startMs, endMs } = this.#q;
    if (this.#q.order === 'asc') {
      if (this.#winEnd >= endMs) {
        this.#done = true;
        return;
      }
      this.#winStart = this.#winEnd;
      this.#winEnd = Math.min(this.#winStart + WINDOW_MS, endMs);
    } else {
      if (this.#winStart <= startMs) {
        this.#done = true;
        return;
      }
      this.#winEnd = this.#winStart;
      this.#winStart = Math.max(this.#winEnd - WINDOW_MS, startMs);
    }
  }
}

/** One capture: the rows sharing a CreateTimestamp (sequence and overwrite objects). */
export interface Capture {
  ts: number;
  items: SnapshotItem[];
  /** The row whose image shows this capture (the sequence object when there is one). */
  main: SnapshotItem;
}

/** Appends items to captures, merging rows of the same timestamp (also across pages). */
export function groupCaptures(into: readonly Capture[], items: readonly SnapshotItem[]): Capture[] {
  const out = into.slice();
  const index = new Map(out.map((c, i) => [c.ts, i]));
  for (const item of items) {
    const i = index.get(item.CreateTimestamp);
    if (i === undefined) {
      index.set(item.CreateTimestamp, out.length);
      out.push({ ts: item.CreateTimestamp, items: [item], main: item });
    } else {
      const c = out[i]!;
      const merged = [...c.items, item];
      out[i] = { ts: c.ts, items: merged, main: merged.find((r) => !r.IsOverlay) ?? merged[0]! };
    }
  }
  return out;
}
