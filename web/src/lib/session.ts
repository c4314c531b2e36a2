import type { Credentials } from './rpc-client.js';

/**
 * The signed-in key pair lives in this tab's sessionStorage (gone when the tab closes, never
 * shared with other tabs, never in a URL or a cookie); sign-out removes it.
 */
const KEY = 'livesnap.console.credentials';

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage disabled: the key pair then lives in memory only
  }
}

export function loadCredentials(): Credentials | undefined {
  const raw = storage()?.getItem(KEY);
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<Credentials>;
    if (typeof v.accessKeyId === 'string' && typeof v.accessKeySecret === 'string') {
      return { accessKeyId: v.accessKeyId, accessKeySecret: v.accessKeySecret };
    }
  } catch {
    // fall through: a damaged entry is dropped
  }
  storage()?.removeItem(KEY);
  return undefined;
}

export function saveCredentials(c: Credentials): void {
  try {
    storage()?.setItem(KEY, JSON.stringify(c));
  } catch {
    // quota or privacy mode: memory only
  }
}

export function clearCredentials(): void {
  storage()?.removeItem(KEY);
}
