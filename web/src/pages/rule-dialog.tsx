import { useState } from 'preact/hooks';
import { Dialog } from '../components/dialog.js';
import { ErrorBox, Field, SuggestInput, fieldOfError } from '../components/ui.js';
import { useConsole } from '../context.js';
import type { Rule } from '../lib/api.js';
import type { ParamValue } from '../lib/rpc-client.js';

const DEFAULT_OVERWRITE = '{AppName}/{StreamName}.jpg';
const DEFAULT_SEQUENCE = '{AppName}/{StreamName}/{UnixTimestamp}.jpg';
const FIELDS = [
  'AppName',
  'TimeInterval',
  'OssEndpoint',
  'OssBucket',
  'OverwriteOssObject',
  'SequenceOssObject',
  'Callback',
] as const;

/** Removes a field on update (spec §2.0). */
const DELETE = '-';

interface Props {
  domain: string;
  /** The rule to edit; undefined to add one. */
  rule?: Rule | undefined;
  endpoints: readonly string[];
  appSuggestions: readonly string[];
  onClose: () => void;
  onSaved: (appName: string) => void;
}

/**
 * Add or edit a snapshot rule. Values go to the API as typed: the API validates them and its
 * messages are shown verbatim (the form adds no rules of its own).
 */
export function RuleDialog({ domain, rule, endpoints, appSuggestions, onClose, onSaved }: Props) {
  const { client } = useConsole();
  const editing = rule !== undefined;
  const [app, setApp] = useState(rule?.AppName ?? '');
  const [timeInterval, setTimeInterval] = useState(String(rule?.TimeInterval ?? 5));
  const [endpoint, setEndpoint] = useState(rule?.OssEndpoint ?? 'local');
  const [bucket, setBucket] = useState(rule?.OssBucket ?? 'snapshots');
  const [overwriteOn, setOverwriteOn] = useState(editing ? !!rule.OverwriteOssObject : true);
  const [overwrite, setOverwrite] = useState(rule?.OverwriteOssObject ?? DEFAULT_OVERWRITE);
  const [sequenceOn, setSequenceOn] = useState(editing ? !!rule.SequenceOssObject : true);
  const [sequence, setSequence] = useState(rule?.SequenceOssObject ?? DEFAULT_SEQUENCE);
  const [callback, setCallback] = useState(rule?.Callback ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const bad = fieldOfError(error, FIELDS);
  const ids = (name: (typeof FIELDS)[number]) => `rule-${name}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const params: Record<string, ParamValue> = {
      DomainName: domain,
      AppName: app.trim(),
      TimeInterval: timeInterval.trim(),
      OssEndpoint: endpoint.trim(),
      OssBucket: bucket.trim(),
    };
    if (overwriteOn) params.OverwriteOssObject = overwrite;
    else if (rule?.OverwriteOssObject) params.OverwriteOssObject = DELETE;
    if (sequenceOn) params.SequenceOssObject = sequence;
    else if (rule?.SequenceOssObject) params.SequenceOssObject = DELETE;
    if (callback.trim()) params.Callback = callback.trim();
    else if (rule?.Callback) params.Callback = DELETE;
    try {
      await client.call(
        editing ? 'UpdateLiveAppSnapshotConfig' : 'AddLiveAppSnapshotConfig',
        params,
        {},
      );
      onSaved(app.trim());
    } catch (err) {
      setError(err);
      const field = fieldOfError(err, FIELDS);
      if (field) {
        window.setTimeout(() => document.getElementById(`rule-${field}`)?.focus(), 0);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={editing ? `Edit the rule for ${rule.AppName}` : 'Add a snapshot rule'}
      onClose={onClose}
      class="rule-dialog"
      initialFocus={editing ? `#${ids('TimeInterval')}` : `#${ids('AppName')}`}
    >
      <form onSubmit={submit} noValidate>
        <p class="muted">
          Domain <strong>{domain}</strong>. A new or changed rule applies from a stream's next push.
        </p>
        <Field
          label="AppName"
          id={ids('AppName')}
          invalid={bad === 'AppName'}
          message={bad === 'AppName' && <ErrorBox error={error} />}
          hint="The application name in the ingest URL, or * for every app of the domain."
        >
          {(f) => (
            <SuggestInput
              id={f.id}
              suggestions={appSuggestions}
              value={app}
              readOnly={editing}
              aria-describedby={f.describedBy}
              aria-invalid={f.invalid || undefined}
              onInput={(e) => setApp(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          label="Snapshot interval (seconds)"
          id={ids('TimeInterval')}
          invalid={bad === 'TimeInterval'}
          message={bad === 'TimeInterval' && <ErrorBox error={error} />}
          hint="5 to 3600. Only keyframes are captured: the first after the push starts, then the first at least this long after the previous snapshot."
        >
          {(f) => (
            <input
              id={f.id}
              inputMode="numeric"
              value={timeInterval}
              aria-describedby={f.describedBy}
              aria-invalid={f.invalid || undefined}
              onInput={(e) => setTimeInterval(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="field-row">
          <Field
            label="Storage (OssEndpoint)"
            id={ids('OssEndpoint')}
            invalid={bad === 'OssEndpoint'}
            message={bad === 'OssEndpoint' && <ErrorBox error={error} />}
            hint="local, or a configured S3 storage."
          >
            {(f) => (
              <SuggestInput
                id={f.id}
                suggestions={endpoints}
                value={endpoint}
                aria-describedby={f.describedBy}
                aria-invalid={f.invalid || undefined}
                onInput={(e) => setEndpoint(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            label="Bucket (OssBucket)"
            id={ids('OssBucket')}
            invalid={bad === 'OssBucket'}
            message={bad === 'OssBucket' && <ErrorBox error={error} />}
          >
            {(f) => (
              <input
                id={f.id}
                value={bucket}
                spellcheck={false}
                aria-describedby={f.describedBy}
                aria-invalid={f.invalid || undefined}
                onInput={(e) => setBucket(e.currentTarget.value)}
              />
            )}
          </Field>
        </div>
        <fieldset class="modes">
          <legend>Storage modes (one or both)</legend>
          <label class="check">
            <input
              type="checkbox"
              checked={overwriteOn}
              onChange={(e) => setOverwriteOn(e.currentTarget.checked)}
            />
            Overwrite: one object per stream, replaced by each snapshot
          </label>
          {overwriteOn && (
            <Field
              label="Overwrite object name"
              id={ids('OverwriteOssObject')}
              invalid={bad === 'OverwriteOssObject'}
              message={bad === 'OverwriteOssObject' && <ErrorBox error={error} />}
              hint="Ends in .jpg; may use {AppName} and {StreamName}."
            >
              {(f) => (
                <input
                  id={f.id}
                  value={overwrite}
                  spellcheck={false}
                  aria-describedby={f.describedBy}
                  aria-invalid={f.invalid || undefined}
                  onInput={(e) => setOverwrite(e.currentTarget.value)}
                />
              )}
            </Field>
          )}
          <label class="check">
            <input
              type="checkbox"
              checked={sequenceOn}
              onChange={(e) => setSequenceOn(e.currentTarget.checked)}
            />
            Sequence: a new object for every snapshot
          </label>
          {sequenceOn && (
            <Field
              label="Sequence object name"
              id={ids('SequenceOssObject')}
              invalid={bad === 'SequenceOssObject'}
              message={bad === 'SequenceOssObject' && <ErrorBox error={error} />}
              hint="Ends in .jpg; must contain {UnixTimestamp} or {Sequence}; may use {AppName} and {StreamName}."
            >
              {(f) => (
                <input
                  id={f.id}
                  value={sequence}
                  spellcheck={false}
                  aria-describedby={f.describedBy}
                  aria-invalid={f.invalid || undefined}
                  onInput={(e) => setSequence(e.currentTarget.value)}
                />
              )}
            </Field>
          )}
        </fieldset>
        <Field
          label="Callback URL (optional)"
          id={ids('Callback')}
          invalid={bad === 'Callback'}
          message={bad === 'Callback' && <ErrorBox error={error} />}
          hint="Receives a POST with a JSON body for every stored snapshot, besides the domain's notification URL."
        >
          {(f) => (
            <input
              id={f.id}
              type="url"
              inputMode="url"
              value={callback}
              spellcheck={false}
              placeholder="https://example.com/snapshot-hook"
              aria-describedby={f.describedBy}
              aria-invalid={f.invalid || undefined}
              onInput={(e) => setCallback(e.currentTarget.value)}
            />
          )}
        </Field>
        {!bad && <ErrorBox error={error} context="The API refused the rule:" />}
        <div class="buttons">
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Add rule'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
