import { Component } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorBox, Spinner } from '../components/ui.js';
import { useConsole } from '../context.js';
import { listSnapshots, type StreamRef } from '../lib/api.js';
import { copyText } from '../lib/clipboard.js';
import { localDateTime } from '../lib/format.js';
import { captureUrl } from '../lib/media-url.js';
import { RpcError } from '../lib/rpc-client.js';
import { SnapshotPager, groupCaptures, type Capture } from '../lib/snapshot-pager.js';
import { DeleteSnapshotsDialog } from './delete-snapshots-dialog.js';
import { SnapshotViewer } from './snapshot-viewer.js';

export interface SearchQuery {
  stream: StreamRef;
  startMs: number;
  endMs: number;
  order: 'asc' | 'desc';
  limit: number;
}

/** How far below the viewport the next page starts loading. */
const PRELOAD_MARGIN_PX = 800;

/**
 * The result grid of one search: pages load as the end of the grid comes near (and with
 * the "Load more" button); tiles are cheap to render (lazy images, content-visibility, and
 * a tile re-renders only when its own props change), so thousands stay fast.
 */
export function SnapshotResults({ query }: { query: SearchQuery }) {
  const { client, announce } = useConsole();
  const pager = useMemo(
    () => new SnapshotPager(query, (q) => listSnapshots(client, query.stream, q)),
    [client, query],
  );
  const [captures, setCaptures] = useState<Capture[]>([]);
  const [loading, setLoading] = useState(false);
  const [hasMore, setHasMore] = useState(true);
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [viewing, setViewing] = useState<number>();
  const [deleting, setDeleting] = useState<readonly number[]>();
  const sentinel = useRef<HTMLDivElement>(null);
  const loadingRef = useRef(false);
  const lastToggled = useRef<number | undefined>(undefined);
  const capturesRef = useRef(captures);
  capturesRef.current = captures;

  const loadMore = useCallback(async () => {
    if (loadingRef.current || !pager.hasMore) return;
    loadingRef.current = true;
    setLoading(true);
    setError(undefined);
    try {
      const items = await pager.next();
      setCaptures((c) => groupCaptures(c, items));
    } catch (err) {
      setError(err);
    } finally {
      loadingRef.current = false;
      setLoading(false);
      setHasMore(pager.hasMore);
    }
  }, [pager]);

  useEffect(() => {
    void loadMore();
  }, [loadMore]);

  // Infinite scroll: whenever the sentinel below the grid is within reach, load the next page.
  // Re-observing after each load re-checks it (a page may not have filled the screen).
  const observer = useMemo(
    () =>
      typeof IntersectionObserver === 'undefined'
        ? undefined
        : new IntersectionObserver(
            (entries) => {
              if (entries.some((e) => e.isIntersecting)) void loadMore();
            },
            { rootMargin: `0px 0px ${PRELOAD_MARGIN_PX}px 0px` },
          ),
    [loadMore],
  );
  useEffect(() => {
    const el = sentinel.current;
    if (!observer || !el || loading || !hasMore || error) return;
    observer.observe(el);
    return () => observer.unobserve(el);
  }, [observer, loading, hasMore, error, captures.length]);
  useEffect(() => () => observer?.disconnect(), [observer]);

  const toggle = useCallback((ts: number, range: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      const list = capturesRef.current;
      const on = !prev.has(ts);
      const from =
        lastToggled.current === undefined
          ? -1
          : list.findIndex((c) => c.ts === lastToggled.current);
      const to = list.findIndex((c) => c.ts === ts);
      if (range && from >= 0 && to >= 0) {
        const [a, b] = from < to ? [from, to] : [to, from];
        for (let i = a; i <= b; i++) {
          if (on) next.add(list[i]!.ts);
          else next.delete(list[i]!.ts);
        }
      } else if (on) next.add(ts);
      else next.delete(ts);
      lastToggled.current = ts;
      return next;
    });
  }, []);

  const open = useCallback((ts: number) => {
    setViewing(capturesRef.current.findIndex((c) => c.ts === ts));
  }, []);

  const copy = useCallback(
    async (ts: number) => {
      const c = capturesRef.current.find((x) => x.ts === ts);
      const url = c && captureUrl(c);
      if (!url) return announce('This snapshot has no URL to copy.');
      announce((await copyText(url)) ? 'URL copied.' : `Copy this URL: ${url}`);
    },
    [announce],
  );

  const askDelete = useCallback((ts: number) => setDeleting([ts]), []);

  const removeFromView = (gone: readonly number[]) => {
    const set = new Set(gone);
    setCaptures((c) => c.filter((x) => !set.has(x.ts)));
    setSelected((s) => new Set([...s].filter((ts) => !set.has(ts))));
  };

  const allSelected = captures.length > 0 && captures.every((c) => selected.has(c.ts));
  const someSelected = selected.size > 0 && !allSelected;
  const { stream } = query;
  const notFound = error instanceof RpcError && error.code === 'InvalidStream.NotFound';

  return (
    <section class="results" aria-labelledby="results-title">
      <div class="results-head">
        <h2 id="results-title">
          {stream.app}/{stream.stream} <span class="muted">on {stream.domain}</span>
        </h2>
        <p class="muted" aria-live="polite">
          {captures.length} snapshot{captures.length === 1 ? '' : 's'} loaded
          {hasMore ? ', more available' : ''}
        </p>
      </div>
      {captures.length > 0 && (
        <div class="selection-bar">
          <label class="check">
            <input
              type="checkbox"
              checked={allSelected}
              ref={(el) => {
                if (el) el.indeterminate = someSelected;
              }}
              onChange={() =>
                setSelected(allSelected ? new Set() : new Set(captures.map((c) => c.ts)))
              }
            />
            Select all loaded
          </label>
          <span class="muted">{selected.size} selected</span>
          <button
            type="button"
            class="danger"
            disabled={selected.size === 0}
            onClick={() => setDeleting([...selected])}
          >
            Delete selected
          </button>
          {selected.size > 0 && (
            <button type="button" class="secondary" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          )}
        </div>
      )}
      <ErrorBox
        error={error}
        context={
          notFound
            ? 'No snapshots: the API does not know this stream.'
            : 'Loading snapshots failed:'
        }
      />
      {captures.length === 0 && !loading && !error && !hasMore && (
        <p class="empty">No snapshots of this stream in this time range.</p>
      )}
      <ul class="grid" aria-label="Snapshots">
        {captures.map((c) => (
          <SnapshotTile
            key={c.ts}
            capture={c}
            selected={selected.has(c.ts)}
            onToggle={toggle}
            onOpen={open}
            onCopy={copy}
            onDelete={askDelete}
          />
        ))}
      </ul>
      <div ref={sentinel} class="sentinel" aria-hidden="true" />
      {loading && <Spinner label="Loading snapshots…" />}
      {hasMore && !loading && (
        <div class="buttons center">
          <button type="button" class="secondary" onClick={() => void loadMore()}>
            {error ? 'Try again' : 'Load more'}
          </button>
        </div>
      )}
      {viewing !== undefined && captures[viewing] && (
        <SnapshotViewer
          captures={captures}
          index={viewing}
          stream={stream}
          onIndex={setViewing}
          onClose={() => setViewing(undefined)}
          onCopy={copy}
          onDelete={(ts) => setDeleting([ts])}
        />
      )}
      {deleting && (
        <DeleteSnapshotsDialog
          stream={stream}
          timestamps={deleting}
          captures={captures}
          onClose={() => setDeleting(undefined)}
          onRemoved={(gone) => {
            removeFromView(gone);
            setViewing(undefined);
          }}
          onDone={(message) => {
            setDeleting(undefined);
            announce(message);
          }}
        />
      )}
    </section>
  );
}

interface TileProps {
  capture: Capture;
  selected: boolean;
  onToggle: (ts: number, range: boolean) => void;
  onOpen: (ts: number) => void;
  onCopy: (ts: number) => void;
  onDelete: (ts: number) => void;
}

/** One capture; re-renders only when its own props change (handlers are stable). */
class SnapshotTile extends Component<TileProps, { broken: boolean }> {
  override state = { broken: false };

  override shouldComponentUpdate(next: TileProps, nextState: { broken: boolean }): boolean {
    return (
      next.capture !== this.props.capture ||
      next.selected !== this.props.selected ||
      nextState.broken !== this.state.broken
    );
  }

  override render() {
    const { capture: c, selected, onToggle, onOpen, onCopy, onDelete } = this.props;
    const time = localDateTime(c.ts);
    const url = captureUrl(c);
    const overwrite = c.items.some((i) => i.IsOverlay);
    const sequence = c.items.some((i) => !i.IsOverlay);
    return (
      <li class={`tile ${selected ? 'tile-selected' : ''}`} data-ts={c.ts}>
        <div class="tile-media">
          <button
            type="button"
            class="thumb"
            aria-label={`Enlarge the snapshot of ${time}`}
            onClick={() => onOpen(c.ts)}
          >
            {url && !this.state.broken ? (
              <img
                src={url}
                alt=""
                loading="lazy"
                decoding="async"
                width={320}
                height={180}
                onError={() => this.setState({ broken: true })}
              />
            ) : (
              <span class="no-image">
                {url ? 'Image unavailable' : `Stored on ${c.main.OssEndpoint}`}
              </span>
            )}
          </button>
          <label class="tile-check">
            <input
              type="checkbox"
              checked={selected}
              // click also fires for the space key; Shift+click selects a range
              onClick={(e) => onToggle(c.ts, e.shiftKey)}
            />
            <span class="visually-hidden">Select the snapshot of {time}</span>
          </label>
        </div>
        <div class="tile-meta">
          <time dateTime={c.main.CreateTime}>{time}</time>
          {overwrite && (
            <span class="badge" title="Also the stream's overwrite object">
              {sequence ? '+ overwrite' : 'overwrite'}
            </span>
          )}
        </div>
        <div class="tile-actions">
          <button
            type="button"
            class="small secondary"
            aria-label={`Copy the URL of the snapshot of ${time}`}
            onClick={() => onCopy(c.ts)}
            disabled={!url}
          >
            Copy URL
          </button>
          <button
            type="button"
            class="small danger"
            aria-label={`Delete the snapshot of ${time}`}
            onClick={() => onDelete(c.ts)}
          >
            Delete
          </button>
        </div>
      </li>
    );
  }
}
