import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import { parseVideoTag } from '../../media/flv-video.js';
import { parseCodecRecord } from '../../media/param-sets.js';
import type { PublishTarget } from '../../stream/stream-types.js';
import { RtmpSession } from './session.js';
import type { VideoParsers } from './video-forwarder.js';

export interface RtmpTlsOptions {
  /** PEM certificate chain and private key. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** RTMPS port (0 = ephemeral). */
  readonly port: number;
}

export interface RtmpServerOptions {
  readonly host: string;
  /** RTMP port (0 = ephemeral). */
  readonly port: number;
  /** Timeouts and limits: the `rtmp` section of the configuration. */
  readonly limits: Config['rtmp'];
  readonly target: PublishTarget;
  readonly logger: Logger;
  /** RTMPS listener on its own port when given. */
  readonly tls?: RtmpTlsOptions;
  /** Media parsers (default: the real FLV video and parameter set parsers). */
  readonly parsers?: VideoParsers;
}

export interface RtmpListening {
  readonly port: number;
  readonly tlsPort?: number;
}

/**
 * RTMP ingest listener, plus RTMPS on a second port when a certificate is configured. Owns
 * every connection: `close()` stops listening and destroys them all. The connection limit
 * covers both listeners (TLS connections count from the TCP accept, before TLS completes).
 */
export class RtmpServer {
  private readonly sockets = new Set<net.Socket>();
  private readonly sessions = new Set<RtmpSession>();
  private readonly parsers: VideoParsers;
  private readonly logger: Logger;
  private tcp: net.Server | undefined;
  private secure: tls.Server | undefined;
  private refused = 0;

  constructor(private readonly options: RtmpServerOptions) {
    this.parsers = options.parsers ?? { parseVideoTag, parseCodecRecord };
    this.logger = options.logger;
  }

  /** Live connections (including ones still in the handshake). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Listen on the RTMP port (and the RTMPS port); resolves with the bound ports. */
  async start(): Promise<RtmpListening> {
    if (this.tcp) throw new Error('RtmpServer already started');
    try {
      return await this.listenAll();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private async listenAll(): Promise<RtmpListening> {
    const { host, port, tls: tlsOptions, limits } = this.options;
    const tcp = net.createServer({ noDelay: true });
    tcp.on('connection', (socket) => {
      if (this.admit(socket)) this.startSession(socket, 'rtmp');
    });
    this.tcp = tcp;
    const bound = await this.listen(tcp, host, port);
    let tlsPort: number | undefined;
    if (tlsOptions) {
      const secure = tls.createServer({
        cert: tlsOptions.cert,
        key: tlsOptions.key,
        handshakeTimeout: limits.handshakeTimeoutMs,
      });
      // 'connection' fires for the raw TCP socket before TLS: count and track it there.
      secure.on('connection', (raw: net.Socket) => {
        this.admit(raw);
      });
      // The raw socket was admitted and is tracked; its TLS wrapper carries the session.
      secure.on('secureConnection', (socket: tls.TLSSocket) => {
        socket.on('error', () => undefined);
        this.startSession(socket, 'rtmps');
      });
      secure.on('tlsClientError', (err, socket) => {
        this.logger.info(
          { err: err.message, remote: socket.remoteAddress },
          'rtmps handshake failed',
        );
        socket.destroy();
      });
      this.secure = secure;
      tlsPort = await this.listen(secure, host, tlsOptions.port);
    }
    this.logger.info({ host, port: bound, tlsPort }, 'rtmp server listening');
    return { port: bound, tlsPort };
  }

  async close(): Promise<void> {
    const servers = [this.tcp, this.secure].filter((s): s is net.Server => s !== undefined);
    this.tcp = undefined;
    this.secure = undefined;
    const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    const sockets = [...this.sockets].map(
      (socket) =>
        new Promise<void>((resolve) =>
          socket.closed ? resolve() : socket.once('close', () => resolve()),
        ),
    );
    for (const session of [...this.sessions]) session.close('server closing');
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([...closed, ...sockets]);
    this.logger.info({ refused: this.refused }, 'rtmp server closed');
  }

  private async listen(server: net.Server, host: string, port: number): Promise<number> {
    server.listen(port, host);
    await once(server, 'listening');
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  /** Track a new socket, or refuse it when the connection limit is reached. */
  private admit(socket: net.Socket): boolean {
    if (this.sockets.size >= this.options.limits.maxConnections) {
      this.refused++;
      if (this.refused === 1 || this.refused % 100 === 0) {
        this.logger.warn(
          { remote: socket.remoteAddress, limit: this.options.limits.maxConnections },
          'rtmp connection limit reached; refusing connections',
        );
      }
      socket.destroy();
      return false;
    }
    this.track(socket);
    return true;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // Errors are handled by the session; this keeps a socket that dies before one exists
    // (e.g. during TLS) from raising an unhandled 'error'.
    socket.on('error', () => undefined);
  }

  private startSession(socket: net.Socket, protocol: 'rtmp' | 'rtmps'): void {
    const session = new RtmpSession({
      socket,
      protocol,
      limits: this.options.limits,
      target: this.options.target,
      parsers: this.parsers,
      logger: this.logger,
      onClose: (s) => this.sessions.delete(s),
    });
    this.sessions.add(session);
    session.start();
  }
}
