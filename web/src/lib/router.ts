import { useEffect, useState } from 'preact/hooks';

/** The console's pages: `/console/<name>`; the index shows the default page. */
export const PAGES = ['snapshots', 'streams', 'settings', 'jobs'] as const;
export type PageName = (typeof PAGES)[number];
export const DEFAULT_PAGE: PageName = 'snapshots';

const MARK = '/console/';

/** `/prefix/console/` for any page of the console (works behind a path prefix). */
export function consoleBase(pathname = window.location.pathname): string {
  const i = pathname.lastIndexOf(MARK);
  return i < 0 ? MARK : pathname.slice(0, i + MARK.length);
}

/** The RPC endpoint: the server's root, next to `/console/`. */
export function apiEndpoint(): string {
  const base = consoleBase();
  return base.slice(0, base.length - MARK.length) + '/';
}

export interface Route {
  page: PageName | 'not-found';
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const rest = window.location.pathname.slice(consoleBase().length);
  const params = new URLSearchParams(window.location.search);
  if (rest === '') return { page: DEFAULT_PAGE, params };
  const page = PAGES.find((p) => p === rest);
  return { page: page ?? 'not-found', params };
}

export function pageHref(page: PageName, params?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined) q.set(k, v);
  const search = q.toString();
  return `${consoleBase()}${page}${search ? `?${search}` : ''}`;
}

const EVENT = 'livesnap:navigate';

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (href === window.location.pathname + window.location.search) {
    if (!opts.replace) window.dispatchEvent(new Event(EVENT));
    return;
  }
  if (opts.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(EVENT));
}

/** The current route, updated on navigate() and on back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return route;
}

/** onClick for in-app links: plain clicks navigate without a page load. */
export function linkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
    return;
  }
  const a = (e.currentTarget as HTMLElement).closest('a');
  if (!a || a.target) return;
  e.preventDefault();
  navigate(a.getAttribute('href') ?? consoleBase());
}
