import type { Socket } from 'node:net';
import { errorMessage, MediaFormatError, ProtocolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { PublishTarget } from '../../stream/stream-types.js';
import { splitAggregate } from './aggregate.js';
import { ChunkReader, deferredPayload } from './chunk-reader.js';
import { ChunkWriter, type OutgoingMessage } from './chunk-writer.js';
import { CommandHandler, type CommandContext } from './command-handler.js';
import {
  acknowledgementMessage,
  parseUserControl,
  readU32Message,
  userControlMessage,
} from './control-messages.js';
import { ServerHandshake } from './handshake.js';
import { MessageType, UserControlEvent, type RtmpMessage } from './rtmp-types.js';
import type { VideoParsers } from './video-forwarder.js';

/** Per-connection limits (the `rtmp` section of the configuration). */
export interface RtmpLimits {
  readonly idleTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maxMessageSize: number;
}

export interface RtmpSessionOptions {
  /** A connected TCP socket, or a TLS socket whose TLS handshake has completed. */
  readonly socket: Socket;
  readonly protocol: 'rtmp' | 'rtmps';
  readonly limits: RtmpLimits;
  readonly target: PublishTarget;
  readonly parsers: VideoParsers;
  readonly logger: Logger;
  /** Called once, when the session has closed. */
  readonly onClose?: (session: RtmpSession) => void;
}

/** Unsent bytes tolerated before a client that does not read is dropped. */
const MAX_PENDING_WRITE = 1024 * 1024;
/** After a refusal, how long the reply may take to flush before the socket is destroyed. */
const GRACEFUL_CLOSE_MS = 2000;

enum State {
  Handshake,
  Open,
  Closed,
}

/**
 * One RTMP connection: handshake, chunk stream, control messages, acknowledgements and
 * timeouts. Commands and media go to the CommandHandler. Never throws out of a socket
 * handler: any failure closes this connection with a logged reason.
 */
export class RtmpSession {
  readonly remote: string;
  private state = State.Handshake;
  private readonly socket: Socket;
  private readonly handshake = new ServerHandshake();
  private readonly reader: ChunkReader;
  private readonly writer = new ChunkWriter();
  private readonly commands: CommandHandler;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private bytesIn = 0;
  private lastAck = 0;
  private ackWindow = 0;
  private audioMessages = 0;
  private readonly unknownTypes = new Set<number>();
  private readonly startedAt = Date.now();
  private reason: string | undefined;

  constructor(private readonly options: RtmpSessionOptions) {
    this.socket = options.socket;
    this.remote = `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? 0}`;
    this.reader = new ChunkReader({
      maxMessageSize: options.limits.maxMessageSize,
      // Socket reads are fresh buffers that nothing else touches: no need to copy payloads.
      viewPayloads: true,
      onMessage: (m) => this.onMessage(m),
    });
    const context: CommandContext = {
      remote: this.remote,
      protocol: options.protocol,
      target: options.target,
      parsers: options.parsers,
      logger: options.logger.child({ remote: this.remote, protocol: options.protocol }),
      send: (m) => this.send(m),
      setChunkSize: (size) => this.writer.setChunkSize(size),
      close: (reason) => this.close(reason, true),
    };
    this.commands = new CommandHandler(context);
  }

  get closed(): boolean {
    return this.state === State.Closed;
  }

  /** Why the session closed (undefined while open). */
  get closeReason(): string | undefined {
    return this.reason;
  }

  private get logger(): Logger {
    return this.commands.logger;
  }

  start(): void {
    const { socket } = this;
    const { handshakeTimeoutMs, idleTimeoutMs } = this.options.limits;
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('end', () => this.close('client disconnected'));
    socket.on('close', () => this.close('connection closed'));
    this.handshakeTimer = setTimeout(
      () => this.close(`handshake not completed within ${handshakeTimeoutMs} ms`),
      handshakeTimeoutMs,
    );
    this.idleTimer = setTimeout(
      () => this.close(`idle: nothing received for ${idleTimeoutMs} ms`),
      idleTimeoutMs,
    );
    this.logger.debug('rtmp connection opened');
  }

  /**
   * Close the connection and end any publish (publisher.close exactly once). `graceful`
   * lets a final reply flush first; a later non-graceful close destroys at once.
   */
  close(reason: string, graceful = false): void {
    if (this.state === State.Closed) {
      if (!graceful && !this.socket.destroyed) this.socket.destroy();
      return;
    }
    this.state = State.Closed;
    this.reason = reason;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.idleTimer);
    this.reader.stop();
    try {
      this.commands.end(reason);
    } catch (err) {
      // A failing publisher must not turn a socket event into an uncaught exception.
      this.logger.error({ err }, 'ending the publish failed');
    }
    this.logger.info(
      {
        reason,
        bytesIn: this.bytesIn,
        audioMessages: this.audioMessages,
        durationMs: Date.now() - this.startedAt,
      },
      'rtmp connection closed',
    );
    if (graceful && !this.socket.destroyed) {
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), GRACEFUL_CLOSE_MS);
      timer.unref();
      this.socket.once('close', () => clearTimeout(timer));
    } else {
      this.socket.destroy();
    }
    this.options.onClose?.(this);
  }

  private onData(data: Buffer): void {
    if (this.state === State.Closed) return;
    this.bytesIn += data.length;
    this.idleTimer?.refresh();
    try {
      if (this.state === State.Handshake) {
        const step = this.handshake.push(data);
        if (step.reply) this.socket.write(step.reply);
        if (!step.done) return;
        clearTimeout(this.handshakeTimer);
        this.state = State.Open;
        this.logger.debug({ mode: this.handshake.mode }, 'rtmp handshake done');
        data = step.rest ?? Buffer.alloc(0);
      }
      if (data.length > 0) this.reader.push(data);
      this.acknowledge();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (err instanceof ProtocolError || err instanceof MediaFormatError) {
      this.logger.warn({ err: err.message }, 'closing rtmp connection: protocol error');
      this.close(`protocol error: ${err.message}`);
    } else {
      this.logger.error({ err }, 'closing rtmp connection: internal error');
      this.close(`internal error: ${errorMessage(err)}`);
    }
  }

  private send(message: OutgoingMessage): void {
    if (this.state === State.Closed || this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(this.writer.write(message));
    if (this.socket.writableLength > MAX_PENDING_WRITE) {
      throw new ProtocolError('client does not read what the server sends');
    }
  }

  /** Acknowledge each time the received bytes cross the window the client announced. */
  private acknowledge(): void {
    if (this.ackWindow > 0 && this.bytesIn - this.lastAck >= this.ackWindow) {
      this.lastAck = this.bytesIn;
      this.send(acknowledgementMessage(this.bytesIn));
    }
  }

  private onMessage(m: RtmpMessage): void {
    if (this.state === State.Closed) return;
    switch (m.type) {
      case MessageType.SetChunkSize:
      case MessageType.Abort:
        return; // applied by the chunk reader
      case MessageType.Acknowledgement:
      case MessageType.SetPeerBandwidth:
        return;
      case MessageType.WindowAckSize:
        this.ackWindow = readU32Message(m);
        return;
      case MessageType.UserControl:
        return this.onUserControl(m);
      case MessageType.Audio:
        this.audioMessages++;
        return;
      case MessageType.Video:
        return this.commands.video(m.timestamp, deferredPayload(m) ?? m.payload);
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        return this.commands.data(m);
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3:
        return this.commands.command(m);
      case MessageType.Aggregate:
        return this.onAggregate(m);
      case MessageType.SharedObjectAmf0:
      case MessageType.SharedObjectAmf3:
        return;
      default:
        if (!this.unknownTypes.has(m.type) && this.unknownTypes.size < 16) {
          this.unknownTypes.add(m.type);
          this.logger.debug({ type: m.type }, 'ignoring unknown rtmp message type');
        }
    }
  }

  private onUserControl(m: RtmpMessage): void {
    const { event, value } = parseUserControl(m);
    if (event === (UserControlEvent.PingRequest as number)) {
      this.send(userControlMessage(UserControlEvent.PingResponse, value));
    }
  }

  private onAggregate(m: RtmpMessage): void {
    for (const part of splitAggregate(m)) {
      if (part.type === (MessageType.Video as number))
        this.commands.video(part.timestamp, part.body);
      else if (part.type === (MessageType.Audio as number)) this.audioMessages++;
    }
  }
}
