import { useCallback, useEffect, useState } from 'preact/hooks';
import { Dialog } from '../components/dialog.js';
import { useOnlineStreams } from '../components/known-names.js';
import { ErrorBox, Field, Spinner, SuggestInput } from '../components/ui.js';
import { useConsole } from '../context.js';
import { getCallbackAuth, getNotifyConfig, listRules, type Rule } from '../lib/api.js';
import { localDateTime, parseApiTime } from '../lib/format.js';
import { lastDomain, recentApps, recentDomains, remember, uniq } from '../lib/recent.js';
import { navigate, pageHref } from '../lib/router.js';
import { RuleDialog } from './rule-dialog.js';

/** Snapshot settings of one domain: its rules, notification URL and callback signing. */
export function SettingsPage({ params }: { params: URLSearchParams }) {
  const domain = (params.get('domain') ?? lastDomain()).trim().toLowerCase();
  const [input, setInput] = useState(domain);
  const online = useOnlineStreams();
  useEffect(() => setInput(domain), [domain]);

  return (
    <section class="page">
      <h1 tabIndex={-1}>Snapshot settings</h1>
      <form
        class="toolbar"
        role="search"
        aria-label="Choose a domain"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(pageHref('settings', { domain: input.trim().toLowerCase() }));
        }}
      >
        <Field
          label="Streaming domain"
          class="grow"
          hint="The vhost of the ingest URL (or its host name)."
        >
          {(f) => (
            <SuggestInput
              id={f.id}
              aria-describedby={f.describedBy}
              suggestions={uniq(
                recentDomains(),
                online.map((s) => s.DomainName),
              )}
              value={input}
              placeholder="live.example.com"
              onInput={(e) => setInput(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="primary">
          Show settings
        </button>
      </form>
      {domain ? (
        <DomainSettings
          key={domain}
          domain={domain}
          onlineApps={online.filter((s) => s.DomainName === domain).map((s) => s.AppName)}
        />
      ) : (
        <p class="empty">Enter a streaming domain to see and change its snapshot rules.</p>
      )}
    </section>
  );
}

function DomainSettings({ domain, onlineApps }: { domain: string; onlineApps: string[] }) {
  const { client, announce } = useConsole();
  const [rules, setRules] = useState<Rule[]>();
  const [error, setError] = useState<unknown>();
  const [editing, setEditing] = useState<Rule | 'new'>();
  const [deleting, setDeleting] = useState<Rule>();

  const load = useCallback(async () => {
    setError(undefined);
    try {
      setRules(await listRules(client, domain));
    } catch (err) {
      setError(err);
    }
  }, [client, domain]);
  useEffect(() => {
    void load();
  }, [load]);

  const endpoints = uniq(['local'], rules?.map((r) => r.OssEndpoint) ?? []);
  return (
    <>
      <section class="panel" aria-labelledby="rules-title">
        <div class="panel-head">
          <h2 id="rules-title">Snapshot rules of {domain}</h2>
          <button type="button" class="primary" onClick={() => setEditing('new')}>
            Add rule
          </button>
        </div>
        <ErrorBox error={error} context="The rules could not be loaded:" />
        {!rules && !error && <Spinner label="Loading rules…" />}
        {rules && rules.length === 0 && (
          <p class="empty">
            No snapshot rules yet. Add one: streams of its AppName (or of every app, with *) are
            captured from their next push.
          </p>
        )}
        {rules && rules.length > 0 && (
          <div class="table-wrap">
            <table class="rules">
              <caption class="visually-hidden">Snapshot rules of {domain}</caption>
              <thead>
                <tr>
                  <th scope="col">AppName</th>
                  <th scope="col">Interval</th>
                  <th scope="col">Storage</th>
                  <th scope="col">Overwrite object</th>
                  <th scope="col">Sequence object</th>
                  <th scope="col">Callback</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rules.map((r) => (
                  <tr key={r.AppName}>
                    <th scope="row" data-label="AppName">
                      {r.AppName === '*' ? '* (every app)' : r.AppName}
                    </th>
                    <td data-label="Interval">{r.TimeInterval} s</td>
                    <td data-label="Storage">
                      {r.OssEndpoint} / {r.OssBucket}
                    </td>
                    <td data-label="Overwrite object" class="mono">
                      {r.OverwriteOssObject ?? '–'}
                    </td>
                    <td data-label="Sequence object" class="mono">
                      {r.SequenceOssObject ?? '–'}
                    </td>
                    <td data-label="Callback" class="mono break">
                      {r.Callback ?? '–'}
                    </td>
                    <td data-label="Created">
                      {(() => {
                        const t = parseApiTime(r.CreateTime);
                        return t === undefined ? r.CreateTime : localDateTime(t);
                      })()}
                    </td>
                    <td class="row-actions">
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Edit the rule for ${r.AppName}`}
                        onClick={() => setEditing(r)}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Delete the rule for ${r.AppName}`}
                        onClick={() => setDeleting(r)}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {editing && (
        <RuleDialog
          domain={domain}
          rule={editing === 'new' ? undefined : editing}
          endpoints={endpoints}
          appSuggestions={uniq(recentApps(domain), onlineApps, ['*']).filter(
            (a) => !rules?.some((r) => r.AppName === a),
          )}
          onClose={() => setEditing(undefined)}
          onSaved={(app) => {
            const added = editing === 'new';
            setEditing(undefined);
            remember(domain, app === '*' ? undefined : app);
            announce(added ? `Rule for ${app} added.` : `Rule for ${app} saved.`);
            void load();
          }}
        />
      )}
      {deleting && (
        <DeleteRuleDialog
          domain={domain}
          rule={deleting}
          onClose={() => setDeleting(undefined)}
          onDeleted={() => {
            setDeleting(undefined);
            announce(`Rule for ${deleting.AppName} deleted.`);
            void load();
          }}
        />
      )}
      <NotifySettings domain={domain} />
      <CallbackAuthSettings domain={domain} />
    </>
  );
}

function DeleteRuleDialog(props: {
  domain: string;
  rule: Rule;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const { client } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await client.call('DeleteLiveAppSnapshotConfig', {
        DomainName: props.domain,
        AppName: props.rule.AppName,
      });
      props.onDeleted();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Delete the rule for ${props.rule.AppName}?`}
      onClose={props.onClose}
      initialFocus=".secondary"
    >
      <p>
        New pushes of <strong>{props.rule.AppName}</strong> on {props.domain} will not be captured
        {props.rule.AppName === '*' ? ' unless their app has its own rule' : ''}. Streams pushing
        now keep their rule until they stop. Stored snapshots are not deleted.
      </p>
      <ErrorBox error={error} />
      <div class="buttons">
        <button type="button" class="secondary" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          {busy ? 'Deleting…' : 'Delete rule'}
        </button>
      </div>
    </Dialog>
  );
}

/** The domain's NotifyUrl (spec §2.7). */
function NotifySettings({ domain }: { domain: string }) {
  const { client, announce } = useConsole();
  const [current, setCurrent] = useState<string | null>(); // null: none set
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const load = useCallback(async () => {
    try {
      const cfg = await getNotifyConfig(client, domain);
      setCurrent(cfg?.NotifyUrl ?? null);
      setUrl(cfg?.NotifyUrl ?? '');
    } catch (err) {
      setError(err);
    }
  }, [client, domain]);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      announce(done);
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="notify-title">
      <h2 id="notify-title">Notifications</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () =>
              client.call(
                current ? 'UpdateLiveSnapshotNotifyConfig' : 'AddLiveSnapshotNotifyConfig',
                {
                  DomainName: domain,
                  NotifyUrl: url.trim(),
                },
              ),
            'Notification URL saved.',
          );
        }}
      >
        <Field
          label="Notification URL"
          hint="livesnap POSTs a JSON body here for every snapshot of the domain (and when streams start and stop). Delivery is retried through an outbox."
        >
          {(f) => (
            <input
              id={f.id}
              type="url"
              inputMode="url"
              spellcheck={false}
              aria-describedby={f.describedBy}
              placeholder="https://example.com/livesnap-events"
              value={url}
              onInput={(e) => setUrl(e.currentTarget.value)}
            />
          )}
        </Field>
        <ErrorBox error={error} context="The API refused the notification settings:" />
        <div class="buttons start">
          <button type="submit" class="primary" disabled={busy || current === undefined}>
            {current ? 'Save URL' : 'Set URL'}
          </button>
          {current && (
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() =>
                void run(
                  () => client.call('DeleteLiveSnapshotNotifyConfig', { DomainName: domain }),
                  'Notification URL removed.',
                )
              }
            >
              Remove URL
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

/** Callback signing (spec §2.8, shared with NotifyReqAuth/NotifyAuthKey). */
function CallbackAuthSettings({ domain }: { domain: string }) {
  const { client, announce } = useConsole();
  const [enabled, setEnabled] = useState(false);
  const [key, setKey] = useState('');
  const [show, setShow] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const load = useCallback(async () => {
    try {
      const a = await getCallbackAuth(client, domain);
      setEnabled(a.CallbackReqAuth === 'yes');
      setKey(a.CallbackAuthKey);
      setLoaded(true);
    } catch (err) {
      setError(err);
    }
  }, [client, domain]);
  useEffect(() => {
    void load();
  }, [load]);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (!enabled && key === '') {
        await client.call('DeleteSnapshotCallbackAuth', { DomainName: domain });
      } else {
        await client.call('SetSnapshotCallbackAuth', {
          DomainName: domain,
          CallbackReqAuth: enabled ? 'yes' : 'no',
          CallbackAuthKey: key,
        });
      }
      announce(enabled ? 'Callbacks will be signed.' : 'Callbacks will not be signed.');
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="auth-title">
      <h2 id="auth-title">Callback signing</h2>
      <form noValidate onSubmit={save}>
        <fieldset class="inline-radios">
          <legend>Sign callbacks with ALI-LIVE-TIMESTAMP and ALI-LIVE-SIGNATURE headers</legend>
          <label class="check">
            <input type="radio" name="auth" checked={enabled} onChange={() => setEnabled(true)} />
            Yes
          </label>
          <label class="check">
            <input type="radio" name="auth" checked={!enabled} onChange={() => setEnabled(false)} />
            No
          </label>
        </fieldset>
        <Field
          label="Signing key"
          hint="16 to 32 letters and digits. Receivers check md5(host|timestamp|key)."
        >
          {(f) => (
            <div class="with-button">
              {show ? (
                <input
                  id={f.id}
                  type="text"
                  autocomplete="off"
                  spellcheck={false}
                  aria-describedby={f.describedBy}
                  value={key}
                  onInput={(e) => setKey(e.currentTarget.value)}
                />
              ) : (
                <input
                  id={f.id}
                  type="password"
                  autocomplete="off"
                  aria-describedby={f.describedBy}
                  value={key}
                  onInput={(e) => setKey(e.currentTarget.value)}
                />
              )}
              <button
                type="button"
                class="secondary"
                aria-pressed={show}
                onClick={() => setShow(!show)}
              >
                {show ? 'Hide' : 'Show'}
              </button>
            </div>
          )}
        </Field>
        <ErrorBox error={error} context="The API refused the signing settings:" />
        <div class="buttons start">
          <button type="submit" class="primary" disabled={busy || !loaded}>
            Save signing
          </button>
        </div>
      </form>
    </section>
  );
}
