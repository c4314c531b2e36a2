import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Ctx, type ConsoleContext } from './context.js';
import { AUTH_ERROR_CODES, RpcClient, type Credentials, type RpcError } from './lib/rpc-client.js';
import { apiEndpoint, linkClick, pageHref, useRoute, type PageName } from './lib/router.js';
import { clearCredentials, loadCredentials, saveCredentials } from './lib/session.js';
import { JobsPage } from './pages/jobs.js';
import { SettingsPage } from './pages/settings.js';
import { SignInPage } from './pages/sign-in.js';
import { SnapshotsPage } from './pages/snapshots.js';
import { StreamsPage } from './pages/streams.js';

const NAV: Array<{ page: PageName; label: string }> = [
  { page: 'snapshots', label: 'Snapshots' },
  { page: 'streams', label: 'Live streams' },
  { page: 'settings', label: 'Settings' },
  { page: 'jobs', label: 'Jobs' },
];

const TITLES: Record<PageName | 'not-found', string> = {
  snapshots: 'Snapshots',
  streams: 'Live streams',
  settings: 'Snapshot settings',
  jobs: 'Snapshot jobs',
  'not-found': 'Page not found',
};

function makeClient(credentials: Credentials, onAuthError: (err: RpcError) => void): RpcClient {
  return new RpcClient({
    endpoint: apiEndpoint(),
    credentials,
    // A key that was deleted or disabled while signed in: back to the sign-in page.
    onError: (err) => {
      if (AUTH_ERROR_CODES.has(err.code)) onAuthError(err);
    },
  });
}

export function App() {
  const [credentials, setCredentials] = useState<Credentials | undefined>(loadCredentials);
  const [signOutReason, setSignOutReason] = useState<string>();
  const [toast, setToast] = useState<{ id: number; text: string }>();
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);

  const signOut = useCallback((reason?: string) => {
    clearCredentials();
    setCredentials(undefined);
    setSignOutReason(reason);
  }, []);

  const client = useMemo(
    () =>
      credentials
        ? makeClient(credentials, (err) =>
            signOut(`You were signed out: ${err.message} (${err.code})`),
          )
        : undefined,
    [credentials, signOut],
  );

  const announce = useCallback((text: string) => setToast({ id: Date.now(), text }), []);
  useEffect(() => {
    if (!toast) return;
    const t = window.setTimeout(() => setToast(undefined), 5000);
    return () => window.clearTimeout(t);
  }, [toast]);

  const title = TITLES[route.page];
  useEffect(() => {
    document.title = credentials ? `${title} · livesnap console` : 'Sign in · livesnap console';
  }, [title, credentials]);

  // After navigating, move focus to the page heading (screen readers hear the new page).
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route.page]);

  if (!credentials || !client) {
    return (
      <SignInPage
        notice={signOutReason}
        onSignedIn={(c) => {
          saveCredentials(c);
          setSignOutReason(undefined);
          setCredentials(c);
        }}
      />
    );
  }

  const ctx: ConsoleContext = { client, announce };
  return (
    <Ctx.Provider value={ctx}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={pageHref('snapshots')} onClick={linkClick}>
          livesnap <span>console</span>
        </a>
        <nav aria-label="Console">
          <ul>
            {NAV.map((n) => (
              <li key={n.page}>
                <a
                  href={pageHref(n.page)}
                  onClick={linkClick}
                  aria-current={route.page === n.page ? 'page' : undefined}
                >
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="key" title="Signed in with this AccessKeyId">
            {credentials.accessKeyId}
          </span>
          <button type="button" class="secondary" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef}>
        {route.page === 'snapshots' && <SnapshotsPage params={route.params} />}
        {route.page === 'streams' && <StreamsPage params={route.params} />}
        {route.page === 'settings' && <SettingsPage params={route.params} />}
        {route.page === 'jobs' && <JobsPage />}
        {route.page === 'not-found' && (
          <section>
            <h1 tabIndex={-1}>Page not found</h1>
            <p>
              There is no such page.{' '}
              <a href={pageHref('snapshots')} onClick={linkClick}>
                Go to Snapshots
              </a>
              .
            </p>
          </section>
        )}
      </main>
      <div class="toast-region" role="status" aria-live="polite">
        {toast && (
          <div class="toast" key={toast.id}>
            {toast.text}
          </div>
        )}
      </div>
    </Ctx.Provider>
  );
}
