import { useEffect, useMemo, useState } from 'preact/hooks';
import { useOnlineStreams } from '../components/known-names.js';
import { Field, SuggestInput } from '../components/ui.js';
import { DAY_MS, HOUR_MS, fromDateTimeLocal, toDateTimeLocal } from '../lib/format.js';
import {
  lastDomain,
  recentApps,
  recentDomains,
  recentStreams,
  remember,
  uniq,
} from '../lib/recent.js';
import { navigate, pageHref } from '../lib/router.js';
import { SnapshotResults, type SearchQuery } from './snapshot-results.js';

const RANGES: Record<string, { label: string; ms: number }> = {
  '1h': { label: 'Last hour', ms: HOUR_MS },
  '6h': { label: 'Last 6 hours', ms: 6 * HOUR_MS },
  '24h': { label: 'Last 24 hours', ms: DAY_MS },
  '7d': { label: 'Last 7 days', ms: 7 * DAY_MS },
  '30d': { label: 'Last 30 days', ms: 30 * DAY_MS },
};
const DEFAULT_RANGE = '24h';
const PAGE_SIZES = ['20', '50', '100'];
const DEFAULT_PAGE_SIZE = '50';

interface FormState {
  domain: string;
  app: string;
  stream: string;
  range: string;
  from: string;
  to: string;
  order: 'desc' | 'asc';
  limit: string;
}

function fromParams(p: URLSearchParams): FormState {
  const now = Date.now();
  return {
    domain: p.get('domain') ?? lastDomain(),
    app: p.get('app') ?? '',
    stream: p.get('stream') ?? '',
    range: p.get('range') ?? DEFAULT_RANGE,
    from: p.get('from') ?? toDateTimeLocal(now - DAY_MS),
    to: p.get('to') ?? toDateTimeLocal(now + 60_000),
    order: p.get('order') === 'asc' ? 'asc' : 'desc',
    limit: PAGE_SIZES.includes(p.get('limit') ?? '') ? p.get('limit')! : DEFAULT_PAGE_SIZE,
  };
}

/** The window a form state stands for, evaluated now (presets end one minute ahead). */
function windowOf(f: FormState): { startMs: number; endMs: number } | undefined {
  if (f.range === 'custom') {
    const startMs = fromDateTimeLocal(f.from);
    const endMs = fromDateTimeLocal(f.to);
    return startMs !== undefined && endMs !== undefined ? { startMs, endMs } : undefined;
  }
  const endMs = Math.ceil(Date.now() / 1000) * 1000 + 60_000;
  return { startMs: endMs - (RANGES[f.range] ?? RANGES[DEFAULT_RANGE]!).ms, endMs };
}

/**
 * Snapshot management (seed 000, "Snapshot Management"): choose a stream and a time
 * range, browse its snapshots as thumbnails, enlarge, copy URLs, delete.
 */
export function SnapshotsPage({ params }: { params: URLSearchParams }) {
  const initial = useMemo(() => fromParams(params), [params]);
  const [form, setForm] = useState<FormState>(initial);
  const [searchId, setSearchId] = useState(0);
  const [formError, setFormError] = useState<string>();
  const online = useOnlineStreams();
  useEffect(() => setForm(initial), [initial]);

  const paramsKey = params.toString();
  const searched = params.has('domain') || params.has('app') || params.has('stream');
  const query: SearchQuery | undefined = useMemo(() => {
    if (!searched) return undefined;
    const f = fromParams(new URLSearchParams(paramsKey));
    const w = windowOf(f);
    if (!w) return undefined;
    return {
      stream: { domain: f.domain.trim().toLowerCase(), app: f.app.trim(), stream: f.stream.trim() },
      startMs: w.startMs,
      endMs: w.endMs,
      order: f.order,
      limit: Number(f.limit),
    };
    // searchId: a new search with the same parameters re-evaluates "now"
  }, [paramsKey, searched, searchId]);

  const set = (k: keyof FormState) => (e: Event) =>
    setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

  const submit = (e: Event) => {
    e.preventDefault();
    setFormError(undefined);
    if (form.range === 'custom') {
      const w = windowOf(form);
      if (!w) return setFormError('Enter both the start and the end of the time range.');
      if (w.endMs <= w.startMs)
        return setFormError('The end of the time range must be after its start.');
    }
    const domain = form.domain.trim().toLowerCase();
    remember(domain, form.app.trim(), form.stream.trim());
    navigate(
      pageHref('snapshots', {
        domain,
        app: form.app.trim() || undefined,
        stream: form.stream.trim() || undefined,
        range: form.range === DEFAULT_RANGE ? undefined : form.range,
        from: form.range === 'custom' ? form.from : undefined,
        to: form.range === 'custom' ? form.to : undefined,
        order: form.order === 'desc' ? undefined : form.order,
        limit: form.limit === DEFAULT_PAGE_SIZE ? undefined : form.limit,
      }),
    );
    setSearchId((n) => n + 1);
  };

  const domain = form.domain.trim().toLowerCase();
  const onlineHere = online.filter((s) => s.DomainName === domain);
  const domains = uniq(
    recentDomains(),
    online.map((s) => s.DomainName),
  );
  const apps = uniq(
    recentApps(domain),
    onlineHere.map((s) => s.AppName),
  );
  const streams = uniq(
    recentStreams(domain, form.app.trim()),
    onlineHere.filter((s) => s.AppName === form.app.trim()).map((s) => s.StreamName),
  );

  return (
    <section class="page">
      <h1 tabIndex={-1}>Snapshots</h1>
      <form
        class="search card"
        role="search"
        aria-label="Find snapshots"
        onSubmit={submit}
        noValidate
      >
        <div class="search-grid">
          <Field label="Domain" class="wide-field">
            {(f) => (
              <SuggestInput
                id={f.id}
                suggestions={domains}
                value={form.domain}
                onInput={set('domain')}
                placeholder="live.example.com"
              />
            )}
          </Field>
          <Field label="AppName">
            {(f) => (
              <SuggestInput
                id={f.id}
                suggestions={apps}
                value={form.app}
                onInput={set('app')}
                placeholder="live"
              />
            )}
          </Field>
          <Field label="StreamName">
            {(f) => (
              <SuggestInput
                id={f.id}
                suggestions={streams}
                value={form.stream}
                onInput={set('stream')}
                placeholder="cam1"
              />
            )}
          </Field>
          <Field label="Time range">
            {(f) => (
              <select id={f.id} value={form.range} onChange={set('range')}>
                {Object.entries(RANGES).map(([k, r]) => (
                  <option key={k} value={k}>
                    {r.label}
                  </option>
                ))}
                <option value="custom">Custom…</option>
              </select>
            )}
          </Field>
          {form.range === 'custom' && (
            <>
              <Field label="From (local time)">
                {(f) => (
                  <input id={f.id} type="datetime-local" value={form.from} onInput={set('from')} />
                )}
              </Field>
              <Field label="To (local time)">
                {(f) => (
                  <input id={f.id} type="datetime-local" value={form.to} onInput={set('to')} />
                )}
              </Field>
            </>
          )}
          <Field label="Order">
            {(f) => (
              <select id={f.id} value={form.order} onChange={set('order')}>
                <option value="desc">Newest first</option>
                <option value="asc">Oldest first</option>
              </select>
            )}
          </Field>
          <Field label="Per request">
            {(f) => (
              <select id={f.id} value={form.limit} onChange={set('limit')}>
                {PAGE_SIZES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {formError && (
          <p class="error" role="alert">
            {formError}
          </p>
        )}
        <div class="buttons start">
          <button type="submit" class="primary">
            Search
          </button>
        </div>
      </form>
      {query ? (
        <SnapshotResults key={`${paramsKey}#${searchId}`} query={query} />
      ) : (
        <p class="empty">
          Choose a domain, an AppName and a StreamName (suggestions come from the streams pushing
          now and your earlier searches), then search.
        </p>
      )}
    </section>
  );
}
