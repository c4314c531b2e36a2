/** Times: the API speaks UTC `yyyy-MM-ddTHH:mm:ssZ`; people read local time. */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** `yyyy-MM-ddTHH:mm:ssZ` for whole seconds, else with milliseconds (both accepted). */
export function apiTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % SECOND_MS === 0 ? iso.replace(/\.\d{3}Z$/, 'Z') : iso;
}

/** An API time (seconds or milliseconds form) → ms, or undefined. */
export function parseApiTime(text: string | undefined): number | undefined {
  if (!text || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local `yyyy-MM-dd HH:mm:ss`. */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** Local `HH:mm:ss`. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The value of an `<input type="datetime-local">` (local, minutes) for `ms`. */
export function toDateTimeLocal(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** An `<input type="datetime-local">` value → ms (local time), or undefined. */
export function fromDateTimeLocal(value: string | undefined | null): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const ms = new Date(+y!, +mo! - 1, +d!, +h!, +mi!, s ? +s : 0).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** "3 s ago", "5 min ago", else the local time. */
export function ago(ms: number, now = Date.now()): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return localDateTime(ms);
}

export function bitrate(bps: number | undefined): string {
  if (bps === undefined) return '–';
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  return `${Math.round(bps / 1e3)} kbit/s`;
}
