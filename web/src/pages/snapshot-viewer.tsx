import { useEffect } from 'preact/hooks';
import { Dialog } from '../components/dialog.js';
import type { StreamRef } from '../lib/api.js';
import { localDateTime } from '../lib/format.js';
import { captureUrl, urlExpiry } from '../lib/media-url.js';
import type { Capture } from '../lib/snapshot-pager.js';

interface Props {
  captures: readonly Capture[];
  index: number;
  stream: StreamRef;
  onIndex: (i: number) => void;
  onClose: () => void;
  onCopy: (ts: number) => void;
  onDelete: (ts: number) => void;
}

/** One snapshot, large; ← and → step through the loaded ones, Escape closes. */
export function SnapshotViewer({
  captures,
  index,
  stream,
  onIndex,
  onClose,
  onCopy,
  onDelete,
}: Props) {
  const c = captures[index]!;
  const url = captureUrl(c);
  const time = localDateTime(c.ts);
  const expires = url ? urlExpiry(url) : undefined;
  const prev = index > 0 ? index - 1 : undefined;
  const next = index < captures.length - 1 ? index + 1 : undefined;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
      if (e.key === 'ArrowLeft' && prev !== undefined) onIndex(prev);
      else if (e.key === 'ArrowRight' && next !== undefined) onIndex(next);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [prev, next, onIndex]);

  return (
    <Dialog
      title={`Snapshot of ${time}`}
      onClose={onClose}
      class="viewer"
      initialFocus=".viewer-copy"
    >
      <figure class="viewer-figure">
        {url ? (
          <img src={url} alt={`Snapshot of ${stream.app}/${stream.stream} taken ${time}`} />
        ) : (
          <p class="no-image">No preview: stored on {c.main.OssEndpoint}.</p>
        )}
        <figcaption>
          <dl class="facts">
            {c.items.map((i) => (
              <div key={`${i.IsOverlay}`}>
                <dt>{i.IsOverlay ? 'Overwrite object' : 'Sequence object'}</dt>
                <dd class="mono break">
                  {i.OssEndpoint} / {i.OssBucket} / {i.OssObject}
                </dd>
              </div>
            ))}
            <div>
              <dt>Captured</dt>
              <dd>
                {time}{' '}
                <span class="muted">
                  ({c.main.CreateTime}, {c.ts} ms)
                </span>
              </dd>
            </div>
            {url && (
              <div>
                <dt>Signed URL</dt>
                <dd>
                  <input
                    class="mono url-field"
                    readOnly
                    value={url}
                    aria-label="Signed URL of the snapshot"
                    onFocus={(e) => e.currentTarget.select()}
                  />
                  {expires && <span class="muted">Valid until {localDateTime(expires)}.</span>}
                </dd>
              </div>
            )}
          </dl>
        </figcaption>
      </figure>
      <div class="buttons spread">
        <div class="buttons start">
          <button
            type="button"
            class="secondary"
            disabled={prev === undefined}
            onClick={() => prev !== undefined && onIndex(prev)}
            aria-keyshortcuts="ArrowLeft"
          >
            ← Previous
          </button>
          <button
            type="button"
            class="secondary"
            disabled={next === undefined}
            onClick={() => next !== undefined && onIndex(next)}
            aria-keyshortcuts="ArrowRight"
          >
            Next →
          </button>
        </div>
        <div class="buttons start">
          <button
            type="button"
            class="primary viewer-copy"
            disabled={!url}
            onClick={() => onCopy(c.ts)}
          >
            Copy URL
          </button>
          {url && (
            <a class="button secondary" href={url} target="_blank" rel="noopener noreferrer">
              Open image
            </a>
          )}
          <button type="button" class="danger" onClick={() => onDelete(c.ts)}>
            Delete
          </button>
        </div>
      </div>
    </Dialog>
  );
}
