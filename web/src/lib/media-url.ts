const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** What is used of the page's location (a URL works too). */
export interface PageLocation {
  readonly href: string;
  readonly hostname: string;
  readonly origin: string;
}

function currentLocation(): PageLocation {
  return (globalThis as unknown as { location: PageLocation }).location;
}

/**
 * The signed `Url` of a snapshot as this browser can load it. Without LIVESNAP_PUBLIC_URL
 * the server hands out `http://127.0.0.1:<port>/storage/...`, which only works on the
 * server itself; when the console was opened through another address, such a loopback
 * URL is re-based onto the console's own origin. The signature covers only the path and
 * query, so the re-based URL stays valid. Other URLs are kept as they are.
 */
export function browserUrl(url: string, page: PageLocation = currentLocation()): string {
  let u: URL;
  try {
    u = new URL(url, page.href);
  } catch {
    return url;
  }
  if (LOOPBACK.test(u.hostname) && !LOOPBACK.test(page.hostname) && u.origin !== page.origin) {
    return `${page.origin}${u.pathname}${u.search}`;
  }
  return u.href;
}

/** When a signed storage URL stops working (its `Expires`, Unix seconds), if present. */
export function urlExpiry(url: string): number | undefined {
  try {
    const e = Number(new URL(url).searchParams.get('Expires'));
    return Number.isFinite(e) && e > 0 ? e * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The browser URL of the image that shows a capture, if it has one. */
export function captureUrl(c: { main: { Url?: string | undefined } }): string | undefined {
  return c.main.Url ? browserUrl(c.main.Url) : undefined;
}
