import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { learnOnline } from '../components/known-names.js';
import { ErrorBox, Field, Spinner } from '../components/ui.js';
import { useConsole } from '../context.js';
import { listOnline, listSnapshots, type OnlinePage, type OnlineStream } from '../lib/api.js';
import {
  MINUTE_MS,
  ago,
  apiTime,
  bitrate,
  localDateTime,
  localTime,
  parseApiTime,
} from '../lib/format.js';
import { browserUrl } from '../lib/media-url.js';
import { recentDomains, remember, uniq } from '../lib/recent.js';
import { linkClick, navigate, pageHref } from '../lib/router.js';
import type { RpcClient } from '../lib/rpc-client.js';

const REFRESH_MS = 5000;
const PAGE_SIZE = 24;

interface Latest {
  /** The stream's LastSnapshotTime this image belongs to. */
  at: string;
  url: string | undefined;
  ts: number;
}

const keyOf = (s: OnlineStream) => `${s.DomainName}/${s.AppName}/${s.StreamName}`;

/** The newest snapshot of a stream, looked up around its LastSnapshotTime. */
async function latestSnapshot(client: RpcClient, s: OnlineStream): Promise<Latest | undefined> {
  const at = parseApiTime(s.LastSnapshotTime);
  if (at === undefined) return undefined;
  const end = Math.max(at, Date.now()) + MINUTE_MS;
  const page = await listSnapshots(
    client,
    { domain: s.DomainName, app: s.AppName, stream: s.StreamName },
    {
      StartTime: apiTime(Math.floor(at / 1000) * 1000 - 10 * MINUTE_MS),
      EndTime: apiTime(Math.ceil(end / 1000) * 1000),
      Order: 'desc',
      Limit: 1,
    },
  );
  const item = page.items.find((i) => !i.IsOverlay) ?? page.items[0];
  if (!item) return undefined;
  return {
    at: s.LastSnapshotTime!,
    url: item.Url ? browserUrl(item.Url) : undefined,
    ts: item.CreateTimestamp,
  };
}

/** The streams being pushed now, refreshing by themselves. */
export function StreamsPage({ params }: { params: URLSearchParams }) {
  const { client } = useConsole();
  const domain = (params.get('domain') ?? '').trim().toLowerCase();
  const name = (params.get('q') ?? '').trim();
  const pageNum = Math.max(1, Number(params.get('page')) || 1);
  const [domainInput, setDomainInput] = useState(domain);
  const [nameInput, setNameInput] = useState(name);
  const [auto, setAuto] = useState(true);
  const [data, setData] = useState<OnlinePage>();
  const [error, setError] = useState<unknown>();
  const [updated, setUpdated] = useState<number>();
  const [latest, setLatest] = useState<ReadonlyMap<string, Latest>>(new Map());
  const latestRef = useRef(latest);
  latestRef.current = latest;

  const refresh = useCallback(async () => {
    try {
      const page = await listOnline(client, { domain, stream: name, pageNum, pageSize: PAGE_SIZE });
      setData(page);
      learnOnline(page.streams);
      setError(undefined);
      setUpdated(Date.now());
      // thumbnails: only for streams whose latest snapshot changed since the last look
      const stale = page.streams.filter(
        (s) => s.LastSnapshotTime && latestRef.current.get(keyOf(s))?.at !== s.LastSnapshotTime,
      );
      const found = await Promise.all(
        stale.map((s) => latestSnapshot(client, s).catch(() => undefined)),
      );
      if (found.some(Boolean)) {
        setLatest((prev) => {
          const next = new Map(prev);
          stale.forEach((s, i) => found[i] && next.set(keyOf(s), found[i]!));
          return next;
        });
      }
    } catch (err) {
      setError(err);
    }
  }, [client, domain, name, pageNum]);

  useEffect(() => {
    setDomainInput(domain);
    setNameInput(name);
  }, [domain, name]);

  useEffect(() => {
    let timer: number | undefined;
    let stopped = false;
    const tick = async () => {
      if (!document.hidden) await refresh();
      if (!stopped && auto) timer = window.setTimeout(tick, REFRESH_MS);
    };
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [refresh, auto]);

  const streams = data?.streams ?? [];
  return (
    <section class="page">
      <h1 tabIndex={-1}>Live streams</h1>
      <form
        class="toolbar"
        role="search"
        aria-label="Filter live streams"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(
            pageHref('streams', {
              domain: domainInput.trim().toLowerCase() || undefined,
              q: nameInput.trim() || undefined,
            }),
          );
        }}
      >
        <Field label="Domain" class="grow">
          {(f) => (
            <>
              <input
                id={f.id}
                list="streams-domains"
                value={domainInput}
                placeholder="all domains"
                autocomplete="off"
                spellcheck={false}
                onInput={(e) => setDomainInput(e.currentTarget.value)}
              />
              <datalist id="streams-domains">
                {uniq(
                  recentDomains(),
                  streams.map((s) => s.DomainName),
                ).map((d) => (
                  <option key={d} value={d} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="StreamName contains" class="grow">
          {(f) => (
            <input
              id={f.id}
              value={nameInput}
              autocomplete="off"
              spellcheck={false}
              onInput={(e) => setNameInput(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="primary">
          Filter
        </button>
      </form>
      <div class="refresh-bar">
        <label class="check">
          <input
            type="checkbox"
            checked={auto}
            onChange={(e) => setAuto(e.currentTarget.checked)}
          />
          Refresh every {REFRESH_MS / 1000} s
        </label>
        <button type="button" class="secondary" onClick={() => void refresh()}>
          Refresh now
        </button>
        {updated && <span class="muted">Updated {localTime(updated)}</span>}
      </div>
      <ErrorBox error={error} context="The live streams could not be loaded:" />
      {!data && !error && <Spinner label="Loading live streams…" />}
      {data && streams.length === 0 && (
        <p class="empty">
          No stream is being pushed{domain ? ` to ${domain}` : ''} right now. Push one to{' '}
          <code>
            rtmp://&lt;this host&gt;:1935/&lt;AppName&gt;/&lt;StreamName&gt;?vhost=&lt;domain&gt;
          </code>
          .
        </p>
      )}
      <ul class="streams" aria-label="Live streams">
        {streams.map((s) => (
          <StreamCard key={keyOf(s)} s={s} latest={latest.get(keyOf(s))} />
        ))}
      </ul>
      {data && data.TotalPage > 1 && (
        <nav class="pager" aria-label="Pages of live streams">
          <a
            class={`button secondary ${pageNum <= 1 ? 'disabled' : ''}`}
            aria-disabled={pageNum <= 1}
            href={pageHref('streams', {
              domain: domain || undefined,
              q: name || undefined,
              page: String(pageNum - 1),
            })}
            onClick={linkClick}
          >
            ← Previous
          </a>
          <span>
            Page {pageNum} of {data.TotalPage} ({data.TotalNum} streams)
          </span>
          <a
            class={`button secondary ${pageNum >= data.TotalPage ? 'disabled' : ''}`}
            aria-disabled={pageNum >= data.TotalPage}
            href={pageHref('streams', {
              domain: domain || undefined,
              q: name || undefined,
              page: String(pageNum + 1),
            })}
            onClick={linkClick}
          >
            Next →
          </a>
        </nav>
      )}
    </section>
  );
}

function StreamCard({ s, latest }: { s: OnlineStream; latest: Latest | undefined }) {
  const since = parseApiTime(s.PublishTime);
  const last = parseApiTime(s.LastSnapshotTime);
  const label = `${s.AppName}/${s.StreamName}`;
  return (
    <li class="stream card" data-stream={keyOf(s)}>
      <div class="stream-media">
        {latest?.url ? (
          <img
            src={latest.url}
            alt={`Latest snapshot of ${label}, ${localDateTime(latest.ts)}`}
            width={320}
            height={180}
          />
        ) : (
          <span class="no-image">
            {s.SnapshotsTaken > 0 ? 'Loading the latest snapshot…' : 'No snapshot yet'}
          </span>
        )}
      </div>
      <div class="stream-body">
        <h2>
          {label} <span class="muted">on {s.DomainName}</span>
        </h2>
        <dl class="facts">
          <div>
            <dt>Video</dt>
            <dd class="video">
              {s.VideoCodecType || 'unknown codec'}
              {s.Width > 0 && `, ${s.Width}×${s.Height}`}
              {s.FrameRate !== undefined && `, ${s.FrameRate} fps`}
              {s.VideoDataRate !== undefined && `, ${bitrate(s.VideoDataRate)}`}
            </dd>
          </div>
          <div>
            <dt>Keyframe interval</dt>
            <dd class="gop">
              {s.KeyframeInterval !== undefined ? `${s.KeyframeInterval} s` : 'measuring…'}
              {s.KeyframeIntervalTooLong && (
                <span class="warn">
                  {' '}
                  — longer than the snapshot interval, so snapshots are further apart
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt>Snapshots</dt>
            <dd class="counts">
              <span class="taken">{s.SnapshotsTaken} taken</span>, {s.SnapshotsSkipped} skipped
              {s.SnapshotsFailed > 0 && <span class="warn">, {s.SnapshotsFailed} failed</span>}
            </dd>
          </div>
          <div>
            <dt>Latest snapshot</dt>
            <dd>{last !== undefined ? ago(last) : 'none yet'}</dd>
          </div>
          <div>
            <dt>Publishing since</dt>
            <dd>
              {since !== undefined ? localDateTime(since) : s.PublishTime}
              {s.ClientIp && <span class="muted"> from {s.ClientIp}</span>}
            </dd>
          </div>
          {s.LastSnapshotError && (
            <div>
              <dt>Last error</dt>
              <dd class="warn">{s.LastSnapshotError}</dd>
            </div>
          )}
        </dl>
        <a
          class="button secondary"
          href={pageHref('snapshots', {
            domain: s.DomainName,
            app: s.AppName,
            stream: s.StreamName,
            range: '1h',
          })}
          onClick={(e) => {
            remember(s.DomainName, s.AppName, s.StreamName);
            linkClick(e);
          }}
        >
          Browse snapshots<span class="visually-hidden"> of {label}</span>
        </a>
      </div>
    </li>
  );
}
