import { useState } from 'preact/hooks';
import { Dialog } from '../components/dialog.js';
import { ErrorBox } from '../components/ui.js';
import { useConsole } from '../context.js';
import { DELETE_BATCH, deleteSnapshots, type DeleteProgress, type StreamRef } from '../lib/api.js';
import { localDateTime } from '../lib/format.js';
import type { Capture } from '../lib/snapshot-pager.js';

interface Props {
  stream: StreamRef;
  timestamps: readonly number[];
  captures: readonly Capture[];
  onClose: () => void;
  /** Timestamps no longer listed (deleted, or already gone): take them off the grid. */
  onRemoved: (gone: readonly number[]) => void;
  /** Everything went through: close with this summary. */
  onDone: (message: string) => void;
}

/**
 * Confirms and runs DeleteSnapshotFiles in batches of at most 200 capture times. Whether
 * the image files go too (RemoveFile) is a choice the confirmation spells out.
 */
export function DeleteSnapshotsDialog(props: Props) {
  const { stream, timestamps, captures, onClose, onRemoved, onDone } = props;
  const { client } = useConsole();
  const [removeFile, setRemoveFile] = useState(true);
  const [progress, setProgress] = useState<DeleteProgress>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const n = timestamps.length;
  const batches = Math.ceil(n / DELETE_BATCH);
  const chosen = new Set(timestamps);
  const objects = captures
    .filter((c) => chosen.has(c.ts))
    .reduce((sum, c) => sum + c.items.length, 0);
  const what = n === 1 ? `the snapshot of ${localDateTime(timestamps[0]!)}` : `${n} snapshots`;

  const run = async () => {
    setBusy(true);
    setError(undefined);
    let last: DeleteProgress | undefined;
    try {
      last = await deleteSnapshots(client, stream, timestamps, removeFile, (p) => {
        last = p;
        setProgress(p);
      });
      onRemoved([...last.deleted, ...last.failed]);
      const n = last.deleted.length;
      const files = removeFile ? ' and their image files' : '; their image files were kept';
      const already = last.failed.length ? ` ${last.failed.length} had already been deleted.` : '';
      onDone(`Deleted ${n} snapshot${n === 1 ? '' : 's'}${files}.${already}`);
    } catch (err) {
      // the batches that went through are gone: take them off the grid, keep the dialog
      if (last && last.batch > 0) onRemoved([...last.deleted, ...last.failed]);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={n === 1 ? 'Delete this snapshot?' : `Delete ${n} snapshots?`}
      onClose={busy ? () => undefined : onClose}
      initialFocus=".secondary"
    >
      <p>
        This deletes {what} of{' '}
        <strong>
          {stream.app}/{stream.stream}
        </strong>{' '}
        on {stream.domain}
        {objects > n ? ` (${objects} records: sequence and overwrite objects)` : ''}.
        {batches > 1 && ` They are deleted in ${batches} batches of at most ${DELETE_BATCH}.`}
      </p>
      <label class="check">
        <input
          type="checkbox"
          checked={removeFile}
          onChange={(e) => setRemoveFile(e.currentTarget.checked)}
          disabled={busy}
        />
        Also delete the image files from storage
      </label>
      <p class={`consequence ${removeFile ? 'consequence-danger' : ''}`} aria-live="polite">
        {removeFile
          ? 'The records and their image files are removed. This cannot be undone.'
          : 'Only the records are removed: the image files stay in storage, but are no longer listed here.'}
      </p>
      {progress && batches > 1 && (
        <p>
          <label>
            Batch {progress.batch} of {progress.batches}{' '}
            <progress max={progress.batches} value={progress.batch} />
          </label>
        </p>
      )}
      <ErrorBox error={error} context="Deleting failed:" />
      <div class="buttons">
        <button type="button" class="secondary" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" class="danger confirm-delete" onClick={run} disabled={busy}>
          {busy ? 'Deleting…' : n === 1 ? 'Delete snapshot' : `Delete ${n} snapshots`}
        </button>
      </div>
    </Dialog>
  );
}
