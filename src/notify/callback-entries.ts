import { randomUUID } from 'node:crypto';
import type { CallbackEntryInput } from '../catalog/catalog-types.js';
import type { CallbackEvent } from './callback-events.js';

/** A new outbox entry for one receiver, with its own event id (kept across retries). */
export function newCallbackEntry(opts: {
  event: CallbackEvent;
  domainName: string;
  url: string;
  body: string;
  now: number;
}): CallbackEntryInput {
  return {
    eventId: randomUUID(),
    event: opts.event,
    domainName: opts.domainName.toLowerCase(),
    url: opts.url,
    origin: callbackOrigin(opts.url),
    body: opts.body,
    createdAt: opts.now,
  };
}

/** `host[:port]` of a URL (lower case): deliveries to one origin share a concurrency limit. */
export function callbackOrigin(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 200);
  }
}

/** The receivers to announce to: given URLs without blanks and duplicates (same URL = one). */
export function uniqueReceivers(urls: ReadonlyArray<string | undefined>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const url of urls) {
    if (url === undefined || url === '') continue;
    let key = url;
    try {
      key = new URL(url).href;
    } catch {
      // kept as given: the dispatcher dead-letters what it cannot send
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(url);
  }
  return out;
}
