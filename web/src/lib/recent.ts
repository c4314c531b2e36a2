/**
 * Names the operator used before (domains, apps, streams), for suggestions. Kept in
 * localStorage: they are not secrets, and they make the next visit quicker.
 */
const KEY = 'livesnap.console.recent';
const MAX = 20;

interface Recent {
  domains: string[];
  apps: Record<string, string[]>;
  streams: Record<string, string[]>;
}

function load(): Recent {
  try {
    const v = JSON.parse(window.localStorage.getItem(KEY) ?? '{}') as Partial<Recent>;
    return { domains: v.domains ?? [], apps: v.apps ?? {}, streams: v.streams ?? {} };
  } catch {
    return { domains: [], apps: {}, streams: {} };
  }
}

function save(r: Recent): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(r));
  } catch {
    // storage full or disabled: suggestions are a convenience
  }
}

function front(list: string[] | undefined, value: string): string[] {
  return [value, ...(list ?? []).filter((v) => v !== value)].slice(0, MAX);
}

/** Remembers a domain (and app, and stream) as the most recent. */
export function remember(domain: string, app?: string, stream?: string): void {
  if (!domain) return;
  const r = load();
  r.domains = front(r.domains, domain);
  if (app) r.apps[domain] = front(r.apps[domain], app);
  if (app && stream) r.streams[`${domain}/${app}`] = front(r.streams[`${domain}/${app}`], stream);
  save(r);
}

/**
 * Learns names seen live (from DescribeLiveStreamsOnlineList), so they are still suggested
 * after the stream stops; names already known keep their place.
 */
export function learn(
  streams: ReadonlyArray<{ domain: string; app: string; stream: string }>,
): void {
  if (streams.length === 0) return;
  const r = load();
  const add = (list: string[] | undefined, v: string) =>
    list?.includes(v) ? list : [v, ...(list ?? [])].slice(0, MAX);
  for (const { domain, app, stream } of streams) {
    r.domains = add(r.domains, domain);
    r.apps[domain] = add(r.apps[domain], app);
    r.streams[`${domain}/${app}`] = add(r.streams[`${domain}/${app}`], stream);
  }
  save(r);
}

export function recentDomains(): string[] {
  return load().domains;
}

export function recentApps(domain: string): string[] {
  return load().apps[domain] ?? [];
}

export function recentStreams(domain: string, app: string): string[] {
  return load().streams[`${domain}/${app}`] ?? [];
}

/** The domain used last, or ''. */
export function lastDomain(): string {
  return load().domains[0] ?? '';
}

/** Distinct, non-empty, in first-seen order. */
export function uniq(...lists: Array<readonly string[]>): string[] {
  return [...new Set(lists.flat().filter((v) => v))];
}
