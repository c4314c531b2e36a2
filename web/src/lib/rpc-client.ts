import {
  createSigner,
  stringToSign,
  percentEncode,
  type HmacSubtle,
  type SignerKind,
} from './rpc-signature.js';

/** API versions the console speaks. */
export const LIVE_VERSION = '2016-11-01';
export const ICE_VERSION = '2020-11-09';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
}

export type ParamValue = string | number | boolean | ReadonlyArray<string | number> | undefined;

/** An error envelope of the RPC API (spec §1.6), or a transport failure. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    /** The API's `Code`, or `NetworkError` / `InvalidResponse` for transport failures. */
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** Codes after which the stored key pair is of no use: the console signs out. */
export const AUTH_ERROR_CODES: ReadonlySet<string> = new Set([
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId.Inactive',
  'SignatureDoesNotMatch',
]);

export interface RpcClientOptions {
  /** Base URL of the RPC API, e.g. `/` or `https://host/prefix/`. */
  endpoint: string;
  credentials: Credentials;
  fetch?: typeof fetch;
  /** Clock, ms (tests). */
  now?: () => number;
  /** Web Crypto to use (default: the browser's when available); `null` forces the fallback. */
  subtle?: HmacSubtle | null;
  /** Sees every RpcError before the caller does (the console signs out on auth errors). */
  onError?: (err: RpcError) => void;
}

const SKEW_TOLERANCE_MS = 60_000;

/** `YYYY-MM-DDThh:mm:ssZ` */
export function rpcTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nonce(): string {
  const bytes = new Uint8Array(16);
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Flattens arrays to `Name.N` (1-based) like pop-core; drops undefined values. */
export function flattenParams(params: Record<string, ParamValue>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) v.forEach((item, i) => out.push([`${k}.${i + 1}`, String(item)]));
    else out.push([k, String(v)]);
  }
  return out;
}

/**
 * Signs calls in the browser (signature v1, POST with a form body: nothing about the call
 * is in the URL) and turns error envelopes into RpcError. The secret never leaves this
 * object: only the signature is sent. When the server says the timestamp is out of its
 * 15-minute window, the client learns the offset from the response's `Date` header and
 * retries once, so a browser with a wrong clock still works.
 */
export class RpcClient {
  readonly accessKeyId: string;
  readonly signerKind: SignerKind;
  readonly #sign: (text: string) => Promise<string>;
  readonly #endpoint: string;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #onError: ((err: RpcError) => void) | undefined;
  #clockOffsetMs = 0;
  #skewed = false;

  constructor(opts: RpcClientOptions) {
    this.accessKeyId = opts.credentials.accessKeyId;
    const signer = createSigner(opts.credentials.accessKeySecret, opts.subtle);
    this.#sign = signer.sign;
    this.signerKind = signer.kind;
    this.#endpoint = opts.endpoint;
    this.#fetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.#now = opts.now ?? Date.now;
    this.#onError = opts.onError;
  }

  /** Calls `action`; resolves with the response body, rejects with RpcError. */
  async call<T = Record<string, unknown>>(
    action: string,
    params: Record<string, ParamValue> = {},
    opts: { version?: string; signal?: AbortSignal } = {},
  ): Promise<T> {
    try {
      try {
        return await this.#send<T>(action, params, opts);
      } catch (err) {
        if (err instanceof RpcError && err.code === 'InvalidTimeStamp.Expired' && this.#skewed) {
          return await this.#send<T>(action, params, opts);
        }
        throw err;
      }
    } catch (err) {
      if (err instanceof RpcError) this.#onError?.(err);
      throw err;
    }
  }

  async #send<T>(
    action: string,
    params: Record<string, ParamValue>,
    opts: { version?: string; signal?: AbortSignal },
  ): Promise<T> {
    const all: Array<[string, string]> = [
      ['Action', action],
      ['Version', opts.version ?? LIVE_VERSION],
      ['Format', 'JSON'],
      ['AccessKeyId', this.accessKeyId],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['SignatureNonce', nonce()],
      ['Timestamp', rpcTimestamp(this.#now() + this.#clockOffsetMs)],
      ...flattenParams(params),
    ];
    const signature = await this.#sign(stringToSign('POST', all));
    all.push(['Signature', signature]);
    const body = all.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');

    let res: Response;
    try {
      res = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        credentials: 'omit',
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (err) {
      if ((err as { name?: string }).name === 'AbortError') throw err;
      throw new RpcError(
        'NetworkError',
        `The livesnap server could not be reached (${(err as Error).message}).`,
        0,
      );
    }
    this.#learnClock(res);
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    if (!json || typeof json !== 'object') {
      throw new RpcError(
        'InvalidResponse',
        `The server answered HTTP ${res.status} with something that is not the API's JSON.`,
        res.status,
      );
    }
    if (res.status >= 400 || (typeof json.Code === 'string' && json.Code !== '')) {
      throw new RpcError(
        String(json.Code ?? `HTTP${res.status}`),
        String(json.Message ?? `HTTP ${res.status}`),
        res.status,
        typeof json.RequestId === 'string' ? json.RequestId : undefined,
      );
    }
    return json as T;
  }

  /** Adopts the server's clock when it is more than a minute away from ours. */
  #learnClock(res: Response): void {
    const date = res.headers.get('date');
    const server = date ? Date.parse(date) : NaN;
    if (!Number.isFinite(server)) return;
    const offset = server - this.#now();
    const skewed = Math.abs(offset) > SKEW_TOLERANCE_MS;
    this.#skewed = skewed;
    this.#clockOffsetMs = skewed ? offset : 0;
  }
}
