import { randomBytes } from 'node:crypto';
import { catalogAccessKeyLookup } from '../../src/api/access-keys.js';
import { ActionRegistry } from '../../src/api/action-registry.js';
import { registerLiveConfigActions } from '../../src/api/actions/live-config-actions.js';
import { RpcService } from '../../src/api/rpc-service.js';
import { percentEncode, signParams } from '../../src/api/signature.js';
import type { Catalog } from '../../src/catalog/catalog-types.js';
import { SqliteCatalog } from '../../src/catalog/sqlite-catalog.js';
import { HttpServer } from '../../src/http/http-server.js';
import { silentLogger } from '../../src/log.js';

/**
 * A small RPC client for tests: signs requests exactly as spec §1.4 says and sends them
 * with fetch, so tests can also break any part of a request on purpose.
 */

export interface ApiCredentials {
  accessKeyId: string;
  accessKeySecret: string;
}

export type ParamValue = string | number | boolean | ReadonlyArray<string | number>;

export interface CallOptions {
  method?: 'GET' | 'POST';
  /** Default `2016-11-01` (Live). */
  version?: string;
  /** POST only: where the parameters travel (default: body). */
  placement?: 'body' | 'query';
  /** Overrides (or, with undefined, removes) common parameters before signing. */
  common?: Record<string, string | undefined>;
  /** Signs with this secret instead of the real one. */
  signWith?: string;
  /** Uses this exact Signature. */
  signature?: string;
  /** Changes the parameters after signing (tampering). */
  afterSign?: (params: Map<string, string>) => void;
  /** Extra raw text appended to the query string. */
  extraQuery?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  contentType: string | null;
  // Tests look into arbitrary response shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

/** `YYYY-MM-DDThh:mm:ssZ` */
export function rpcTimestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** Flattens arrays to `Name.N` like pop-core; everything else to text. */
export function flattenParams(params: Record<string, ParamValue>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((item, i) => out.set(`${k}.${i + 1}`, String(item)));
    else out.set(k, String(v));
  }
  return out;
}

export function encodePairs(params: Iterable<readonly [string, string]>): string {
  return [...params].map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

/** The full signed parameter set (including Signature) for one call. */
export function signedParams(
  creds: ApiCredentials,
  action: string,
  params: Record<string, ParamValue>,
  opts: CallOptions = {},
): Map<string, string> {
  const method = opts.method ?? 'GET';
  const all = new Map<string, string>([
    ['Action', action],
    ['Version', opts.version ?? '2016-11-01'],
    ['Format', 'JSON'],
    ['AccessKeyId', creds.accessKeyId],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureVersion', '1.0'],
    ['SignatureNonce', newNonce()],
    ['Timestamp', rpcTimestamp()],
  ]);
  for (const [k, v] of Object.entries(opts.common ?? {})) {
    if (v === undefined) all.delete(k);
    else all.set(k, v);
  }
  for (const [k, v] of flattenParams(params)) all.set(k, v);
  const signature =
    opts.signature ?? signParams(method, all, opts.signWith ?? creds.accessKeySecret);
  all.set('Signature', signature);
  opts.afterSign?.(all);
  return all;
}

/** Sends already-built parameters (e.g. to replay a request). */
export async function sendParams(
  baseUrl: string,
  params: Map<string, string>,
  opts: Pick<CallOptions, 'method' | 'placement' | 'extraQuery' | 'headers'> = {},
): Promise<ApiResponse> {
  const method = opts.method ?? 'GET';
  const encoded = encodePairs(params);
  const inQuery = method === 'GET' || opts.placement === 'query';
  let query = inQuery ? encoded : '';
  if (opts.extraQuery) query = query ? `${query}&${opts.extraQuery}` : opts.extraQuery;
  const res = await fetch(`${baseUrl}/${query ? `?${query}` : ''}`, {
    method,
    headers: {
      ...(inQuery ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      ...opts.headers,
    },
    body: inQuery ? undefined : encoded,
  });
  return readResponse(res);
}

export async function readResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), body, text };
}

/** Signs and sends one call. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly creds: ApiCredentials,
  ) {}

  async call(
    action: string,
    params: Record<string, ParamValue> = {},
    opts: CallOptions = {},
  ): Promise<ApiResponse> {
    return sendParams(this.baseUrl, signedParams(this.creds, action, params, opts), opts);
  }
}

// ── a complete API stack on 127.0.0.1, port 0 ──

export interface TestApiOptions {
  qpsOverrides?: Record<string, number>;
  storageEndpoints?: string[];
  bucketExists?: (endpoint: string, bucket: string) => Promise<boolean>;
  now?: () => number;
  bodyLimit?: number;
  /** Registers extra actions before the server starts. */
  register?: (registry: ActionRegistry, catalog: Catalog) => void;
}

export interface TestApi {
  baseUrl: string;
  creds: ApiCredentials;
  client: ApiClient;
  catalog: Catalog;
  registry: ActionRegistry;
  server: HttpServer;
  close(): Promise<void>;
}

/** Catalog (SQLite in memory) + root key + Live config actions + HTTP server. */
export async function startTestApi(opts: TestApiOptions = {}): Promise<TestApi> {
  const catalog = new SqliteCatalog({ path: ':memory:' });
  await catalog.start();
  const creds: ApiCredentials = { accessKeyId: 'LTAItestkey', accessKeySecret: 'testsecret123' };
  await catalog.setRootAccessKey({ ...creds, createdAt: Date.now() });
  const registry = new ActionRegistry();
  registerLiveConfigActions(registry, {
    catalog,
    storageEndpoints: () => opts.storageEndpoints ?? ['local'],
    bucketExists: opts.bucketExists,
  });
  opts.register?.(registry, catalog);
  const log = silentLogger();
  const rpc = new RpcService({
    registry,
    accessKeys: catalogAccessKeyLookup(catalog),
    log,
    now: opts.now,
    qpsOverrides: opts.qpsOverrides ?? { '*': 0 },
  });
  const server = new HttpServer({
    host: '127.0.0.1',
    port: 0,
    log,
    rpc,
    bodyLimit: opts.bodyLimit,
  });
  const { url } = await server.start();
  return {
    baseUrl: url,
    creds,
    client: new ApiClient(url, creds),
    catalog,
    registry,
    server,
    close: async () => {
      await server.close();
      await catalog.close();
    },
  };
}
