import { useState } from 'preact/hooks';
import { ErrorBox } from '../components/ui.js';
import { RpcClient, RpcError, type Credentials } from '../lib/rpc-client.js';
import { apiEndpoint } from '../lib/router.js';

const HINTS: Record<string, string> = {
  SignatureDoesNotMatch: 'The AccessKeySecret does not belong to this AccessKeyId.',
  'InvalidAccessKeyId.NotFound': 'No access key with this AccessKeyId exists on this server.',
  'InvalidAccessKeyId.Inactive': 'This access key has been disabled.',
  'InvalidTimeStamp.Expired': "This computer's clock is more than 15 minutes off.",
};

/**
 * Sign-in with an access key pair. The pair is checked with one cheap signed call
 * (DescribeLiveStreamsOnlineList, one row); only then is it kept, in this tab's session.
 */
export function SignInPage({
  notice,
  onSignedIn,
}: {
  notice?: string | undefined;
  onSignedIn: (c: Credentials) => void;
}) {
  const [id, setId] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (e: Event) => {
    e.preventDefault();
    const credentials = { accessKeyId: id.trim(), accessKeySecret: secret };
    if (!credentials.accessKeyId || !credentials.accessKeySecret) {
      setError(new Error('Enter both the AccessKeyId and the AccessKeySecret.'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const client = new RpcClient({ endpoint: apiEndpoint(), credentials });
      await client.call('DescribeLiveStreamsOnlineList', { PageSize: 1 });
      setSecret('');
      onSignedIn(credentials);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const hint = error instanceof RpcError ? HINTS[error.code] : undefined;
  return (
    <main id="main" class="sign-in">
      <form class="card sign-in-card" onSubmit={submit} noValidate aria-describedby="sign-in-about">
        <h1 tabIndex={-1}>
          livesnap <span>console</span>
        </h1>
        <p id="sign-in-about" class="muted">
          Sign in with an access key of this livesnap server. Requests are signed in this browser;
          the secret is never sent, and is kept only in this tab until you sign out or close it.
        </p>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <div class="field">
          <label for="ak-id">AccessKeyId</label>
          <input
            id="ak-id"
            name="username"
            autocomplete="username"
            spellcheck={false}
            autocapitalize="off"
            value={id}
            onInput={(e) => setId(e.currentTarget.value)}
            required
          />
        </div>
        <div class="field">
          <label for="ak-secret">AccessKeySecret</label>
          <input
            id="ak-secret"
            name="password"
            type="password"
            autocomplete="current-password"
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
            required
          />
        </div>
        <ErrorBox error={error} />
        {hint && <p class="hint">{hint}</p>}
        <button type="submit" class="primary wide" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <details class="help">
          <summary>Where do I find a key?</summary>
          <p>
            On its first start livesnap generates a root access key, prints it once and saves it in{' '}
            <code>data/credentials.json</code> (or uses <code>LIVESNAP_ACCESS_KEY_ID</code> and{' '}
            <code>LIVESNAP_ACCESS_KEY_SECRET</code> when they are set).
          </p>
        </details>
      </form>
    </main>
  );
}
