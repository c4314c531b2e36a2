import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { errorMessage } from '../errors.js';
import { callbackLookup } from './callback-lookup.js';
import type { AttemptResult } from './retry-policy.js';

/** One POST to a receiver. */
export interface CallbackRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * An attempt's result, plus the start of the receiver's answer (for operators) and how many
 * bytes of it were read.
 */
export type SendResult = AttemptResult & { readonly preview?: string; readonly bodyBytes?: number };

/** What the dispatcher needs to send callbacks. */
export interface CallbackSender {
  /** Never rejects: every failure is a result. `signal` aborts the attempt. */
  send(request: CallbackRequest, signal: AbortSignal): Promise<SendResult>;
  close(): void;
}

export interface HttpCallbackSenderOptions {
  /** Whole attempt: connect, TLS, request, response headers and body. */
  timeoutMs: number;
  /** Response bytes read at most; a longer answer is cut (the socket is dropped). */
  maxBodyBytes: number;
  /** Sockets per host:port (the dispatcher never asks for more). */
  perHostConcurrency: number;
  /** Sockets in all. */
  concurrency: number;
}

/** Characters of the answer kept for last_error. */
const PREVIEW_BYTES = 200;
/** Idle keep-alive sockets are closed after this long. */
const IDLE_SOCKET_MS = 15_000;
/** Longest wait for a dropped socket to report it closed. */
const CLOSE_WAIT_MS = 1000;

/** Text for logs and last_error: control characters become spaces. */
function printable(buf: Buffer): string {
  let out = '';
  for (const ch of buf.toString('utf8')) {
    const code = ch.codePointAt(0)!;
    out += code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

/**
 * POSTs callbacks with node:http(s): keep-alive agents capped per host and in total, one
 * deadline for the whole exchange (DNS included, resolved off the thread pool), at most `maxBodyBytes` of the answer read, redirects
 * never followed (a 3xx is just a status), URL credentials never sent.
 */
export class HttpCallbackSender implements CallbackSender {
  readonly #options: HttpCallbackSenderOptions;
  readonly #http: http.Agent;
  readonly #https: https.Agent;
  readonly #lookup: LookupFunction;

  constructor(options: HttpCallbackSenderOptions) {
    this.#options = options;
    this.#lookup = callbackLookup(options.timeoutMs);
    const agent = {
      keepAlive: true,
      maxSockets: options.perHostConcurrency,
      maxFreeSockets: options.perHostConcurrency,
      maxTotalSockets: options.concurrency,
      timeout: IDLE_SOCKET_MS,
      scheduling: 'lifo',
    } as const;
    this.#http = new http.Agent(agent);
    this.#https = new https.Agent(agent);
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }

  send(request: CallbackRequest, signal: AbortSignal): Promise<SendResult> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ kind: 'invalid', message: 'not a valid URL' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.resolve({ kind: 'invalid', message: `unsupported scheme ${url.protocol}` });
    }
    return new Promise<SendResult>((resolve) => {
      const { timeoutMs, maxBodyBytes } = this.#options;
      const body = Buffer.from(request.body, 'utf8');
      let settled = false;
      let response: SendResult | undefined;
      const finish = (result: SendResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      // A dropped connection frees its slot once the socket is really closed, so the
      // per-host limit bounds open connections, not just requests.
      const drop = (result: SendResult): void => {
        if (settled) return;
        clearTimeout(timer);
        if (req.closed) finish(result);
        else {
          req.once('close', () => finish(result));
          setTimeout(() => finish(result), CLOSE_WAIT_MS).unref();
        }
        req.destroy();
      };
      const isHttps = url.protocol === 'https:';
      const req = (isHttps ? https : http).request({
        protocol: url.protocol,
        // URL keeps IPv6 brackets in hostname; the socket layer wants the bare address
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent: isHttps ? this.#https : this.#http,
        lookup: this.#lookup,
        headers: { ...request.headers, 'Content-Length': String(body.length) },
      });
      const timer = setTimeout(() => {
        // once a status arrived the attempt is decided; the deadline only bounds the body
        drop(response ?? { kind: 'timeout', message: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      const onAbort = (): void => drop(response ?? { kind: 'network', message: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) => {
        drop(response ?? { kind: 'network', message: err.code ?? errorMessage(err) });
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const retryAfter = res.headers['retry-after'];
        const preview: Buffer[] = [];
        let previewBytes = 0;
        let received = 0;
        const result = (): SendResult => ({
          kind: 'response',
          status,
          ...(retryAfter !== undefined ? { retryAfter } : {}),
          ...(previewBytes > 0 ? { preview: printable(Buffer.concat(preview)) } : {}),
          bodyBytes: received,
        });
        response = {
          kind: 'response',
          status,
          ...(retryAfter !== undefined ? { retryAfter } : {}),
        };
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (previewBytes < PREVIEW_BYTES) {
            const part = chunk.subarray(0, PREVIEW_BYTES - previewBytes);
            preview.push(part);
            previewBytes += part.length;
          }
          if (received > maxBodyBytes) drop(result()); // too long: drop the rest with the connection
        });
        res.on('end', () => finish(result()));
        res.on('error', () => drop(result()));
        res.on('close', () => (res.complete ? finish(result()) : drop(result())));
      });
      if (signal.aborted) onAbort();
      else req.end(body);
    });
  }
}
