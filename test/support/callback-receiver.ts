import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifyCallbackSignature } from '../../src/notify/callback-signing.js';

/**
 * A callback receiver on 127.0.0.1 for tests: a node:http server that records every request
 * and answers as told — fine, with a status, or as a hostile receiver would:
 *
 * - `stall`: reads the request and never answers;
 * - `trickle-headers`: writes the status line one byte at a time, forever;
 * - `trickle-body`: 200 with a body trickled one byte at a time, forever;
 * - `huge`: 200 with an endless body written as fast as the socket takes it;
 * - `redirect`: 302 to itself (a redirect loop for a client that follows);
 * - `reset`: closes the connection without an answer.
 *
 * `stop()` closes the port (connections refused) and `start()` opens the same port again.
 */

export type Behaviour =
  | 'ok'
  | 'stall'
  | 'trickle-headers'
  | 'trickle-body'
  | 'huge'
  | 'redirect'
  | 'reset'
  | { status: number; headers?: Record<string, string>; body?: string };

export interface ReceivedCallback {
  path: string;
  headers: IncomingMessage['headers'];
  text: string;
  // Tests look into arbitrary bodies.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  receivedAt: number;
  eventId: string;
}

const TRICKLE_EVERY_MS = 200;
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 0x61);

export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  /** How to answer; a function decides per request. */
  behaviour: Behaviour | ((req: ReceivedCallback) => Behaviour) = 'ok';
  /** Connections open now, and the most ever open at once. */
  openConnections = 0;
  maxOpenConnections = 0;
  /** Bytes of response body written by `huge` (what the socket accepted). */
  hugeBytesWritten = 0;
  #server: Server | undefined;
  #port = 0;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters = new Set<() => void>();

  get port(): number {
    return this.#port;
  }

  /** `http://127.0.0.1:<port><path>` */
  url(path = '/callback'): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  async start(): Promise<this> {
    if (this.#server) return this;
    const server = createServer((req, res) => this.#handle(req, res));
    server.keepAliveTimeout = 30_000;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      this.openConnections++;
      this.maxOpenConnections = Math.max(this.maxOpenConnections, this.openConnections);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        this.openConnections--;
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  /** Closes the port and every connection (the receiver is "down"). */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests whose body `Event` is `event` (all when omitted). */
  events(event?: string): ReceivedCallback[] {
    return event === undefined
      ? this.received
      : this.received.filter((r) => r.body?.Event === event);
  }

  /** Distinct event ids received. */
  eventIds(): Set<string> {
    return new Set(this.received.map((r) => r.eventId));
  }

  /** Resolves once `check()` holds (re-checked on every request), or rejects after `ms`. */
  async until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
    if (check()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what} (${this.received.length} received)`));
      }, ms);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      this.#waiters.add(waiter);
    });
  }

  /** Whether a request carries a valid ALI-LIVE signature for `key`. */
  static signatureValid(r: ReceivedCallback, key: string, host = '127.0.0.1'): boolean {
    return verifyCallbackSignature({
      host,
      timestamp: header(r.headers['ali-live-timestamp']),
      signature: header(r.headers['ali-live-signature']),
      key,
      nowMs: r.receivedAt,
      toleranceSec: 60,
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const record: ReceivedCallback = {
        path: req.url ?? '',
        headers: req.headers,
        text,
        body,
        receivedAt: Date.now(),
        eventId: header(req.headers['x-livesnap-event-id']) ?? '',
      };
      this.received.push(record);
      const b = typeof this.behaviour === 'function' ? this.behaviour(record) : this.behaviour;
      this.#answer(b, req, res);
      for (const w of [...this.#waiters]) w();
    });
  }

  #answer(b: Behaviour, req: IncomingMessage, res: ServerResponse): void {
    if (typeof b === 'object') {
      res.writeHead(b.status, b.headers).end(b.body ?? '');
      return;
    }
    switch (b) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      case 'stall':
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'redirect':
        res.writeHead(302, { location: req.url ?? '/' }).end();
        return;
      case 'trickle-headers': {
        // the status line, then a header that never ends: one byte per tick, forever
        const line = 'HTTP/1.1 200 OK\r\nX-Slow: ';
        let i = 0;
        this.#every(req.socket, () => req.socket.write(i < line.length ? line[i++]! : 'a'));
        return;
      }
      case 'trickle-body':
        res.writeHead(200, { 'content-type': 'text/plain' });
        this.#every(req.socket, () => res.write('.'));
        return;
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const pump = (): void => {
          while (!res.destroyed && !res.writableEnded) {
            this.hugeBytesWritten += HUGE_CHUNK.length;
            if (!res.write(HUGE_CHUNK)) {
              res.once('drain', pump);
              return;
            }
          }
        };
        pump();
        return;
      }
    }
  }

  #every(socket: Socket, tick: () => void): void {
    const timer = setInterval(() => {
      if (socket.destroyed) {
        clearInterval(timer);
        this.#timers.delete(timer);
        return;
      }
      tick();
    }, TRICKLE_EVERY_MS);
    this.#timers.add(timer);
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export async function startReceiver(behaviour: Behaviour = 'ok'): Promise<CallbackReceiver> {
  const r = new CallbackReceiver();
  r.behaviour = behaviour;
  return r.start();
}
