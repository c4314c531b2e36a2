import { errorMessage, ProtocolError, StreamBusyError, StreamRefusedError } from '../../errors.js';
import type { AmfValue } from '../../media/amf0.js';
import type { Logger } from '../../log.js';
import {
  streamId as streamIdOf,
  type Publisher,
  type PublishTarget,
  type StreamKey,
} from '../../stream/stream-types.js';
import type { DeferredPayload } from './chunk-reader.js';
import type { OutgoingMessage } from './chunk-writer.js';
import {
  isAmfObject,
  NetStatus,
  onStatusMessage,
  parseCommand,
  parseDataMessage,
  resultMessage,
  StatusLevel,
  type Command,
} from './commands.js';
import {
  setChunkSizeMessage,
  setPeerBandwidthMessage,
  userControlMessage,
  windowAckSizeMessage,
} from './control-messages.js';
import { PeerBandwidthLimit, UserControlEvent, type RtmpMessage } from './rtmp-types.js';
import { streamIdentity } from './stream-identity.js';
import { VideoForwarder, type VideoParsers } from './video-forwarder.js';

/** What the command layer needs from its session. */
export interface CommandContext {
  readonly remote: string;
  readonly protocol: 'rtmp' | 'rtmps';
  readonly target: PublishTarget;
  readonly parsers: VideoParsers;
  readonly logger: Logger;
  send(message: OutgoingMessage): void;
  /** Use this chunk size for what the server sends next. */
  setChunkSize(size: number): void;
  /** Close the connection once the last reply has been flushed. */
  close(reason: string): void;
}

export const SERVER_WINDOW_ACK_SIZE = 2_500_000;
export const SERVER_PEER_BANDWIDTH = 2_500_000;
export const SERVER_CHUNK_SIZE = 4096;
/** Server properties in the connect `_result`, as Flash Media Server reports them. */
const SERVER_PROPERTIES = { fmsVer: 'FMS/3,5,7,7009', capabilities: 31, mode: 1 } as const;
/** Message streams one connection may create. */
const MAX_STREAMS = 16;

interface ConnectInfo {
  readonly app: string;
  readonly tcUrl: string;
  readonly objectEncoding: number;
}

interface Publishing {
  readonly streamId: number;
  readonly key: StreamKey;
  readonly publisher: Publisher;
  readonly forwarder: VideoForwarder;
  readonly startedAt: number;
}

/**
 * The NetConnection/NetStream command flow of a publishing client: connect, releaseStream,
 * FCPublish, createStream, publish, FCUnpublish, deleteStream, closeStream; play is refused.
 * Owns the publish and forwards metadata and video to the publisher.
 */
export class CommandHandler {
  logger: Logger;
  private connectInfo: ConnectInfo | undefined;
  private nextStreamId = 1;
  private publishing: Publishing | undefined;

  constructor(private readonly ctx: CommandContext) {
    this.logger = ctx.logger;
  }

  command(m: RtmpMessage): void {
    const cmd = parseCommand(m);
    if (cmd.name !== 'connect' && !this.connectInfo) {
      throw new ProtocolError(`command "${cmd.name.slice(0, 32)}" before connect`);
    }
    switch (cmd.name) {
      case 'connect':
        return this.connect(cmd);
      case 'releaseStream':
      case 'FCPublish':
        return this.reply(cmd, null, undefined);
      case 'createStream':
        if (this.nextStreamId > MAX_STREAMS) throw new ProtocolError('too many createStream');
        return this.reply(cmd, null, this.nextStreamId++);
      case 'publish':
        return this.publish(cmd, m.streamId);
      case 'FCUnpublish':
        return this.unpublish('unpublished by client');
      case 'deleteStream':
      case 'closeStream': {
        const id = typeof cmd.args[0] === 'number' ? cmd.args[0] : m.streamId;
        if (this.publishing && (id === this.publishing.streamId || cmd.name === 'closeStream')) {
          this.unpublish(`${cmd.name} by client`);
        }
        return;
      }
      case 'play':
      case 'play2':
        this.ctx.send(
          onStatusMessage(m.streamId, {
            level: StatusLevel.Error,
            code: NetStatus.PlayFailed,
            description: 'livesnap only ingests published streams; play is not supported',
          }),
        );
        return this.ctx.close('play refused');
      default:
        this.logger.debug({ command: cmd.name.slice(0, 64) }, 'ignoring rtmp command');
    }
  }

  /** `@setDataFrame`/`onMetaData`. Bad metadata is dropped, it never ends a publish. */
  data(m: RtmpMessage): void {
    if (!this.publishing) return;
    let values: AmfValue[];
    try {
      values = parseDataMessage(m);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'dropped malformed data message');
      return;
    }
    if (values[0] === '@setDataFrame') values = values.slice(1);
    const meta = values[1];
    if (values[0] === 'onMetaData' && isAmfObject(meta)) this.publishing.publisher.metadata(meta);
  }

  video(timestamp: number, body: Buffer | DeferredPayload): void {
    this.publishing?.forwarder.video(timestamp, body);
  }

  /** The connection is closing: end the publish, if any. */
  end(reason: string): void {
    this.endPublish(reason);
  }

  private reply(cmd: Command, ...values: AmfValue[]): void {
    if (cmd.transactionId > 0) this.ctx.send(resultMessage(cmd.transactionId, ...values));
  }

  private connect(cmd: Command): void {
    if (this.connectInfo) throw new ProtocolError('second connect on one connection');
    const obj = isAmfObject(cmd.object) ? cmd.object : {};
    const info: ConnectInfo = {
      app: typeof obj['app'] === 'string' ? obj['app'] : '',
      tcUrl: typeof obj['tcUrl'] === 'string' ? obj['tcUrl'] : '',
      objectEncoding: typeof obj['objectEncoding'] === 'number' ? obj['objectEncoding'] : 0,
    };
    this.connectInfo = info;
    this.ctx.send(windowAckSizeMessage(SERVER_WINDOW_ACK_SIZE));
    this.ctx.send(setPeerBandwidthMessage(SERVER_PEER_BANDWIDTH, PeerBandwidthLimit.Dynamic));
    this.ctx.send(setChunkSizeMessage(SERVER_CHUNK_SIZE));
    this.ctx.setChunkSize(SERVER_CHUNK_SIZE);
    this.ctx.send(
      resultMessage(
        cmd.transactionId,
        { ...SERVER_PROPERTIES },
        {
          level: StatusLevel.Status,
          code: NetStatus.ConnectSuccess,
          description: 'Connection succeeded.',
          objectEncoding: info.objectEncoding,
        },
      ),
    );
    this.logger.debug({ app: info.app, tcUrl: info.tcUrl }, 'rtmp connect');
  }

  private publish(cmd: Command, streamId: number): void {
    const name = cmd.args[0];
    if (this.publishing) {
      this.ctx.send(
        onStatusMessage(streamId, {
          level: StatusLevel.Error,
          code: NetStatus.PublishBadName,
          description: 'this connection is already publishing',
        }),
      );
      return;
    }
    if (typeof name !== 'string') return this.refuse(streamId, 'publish without a stream name');
    const identity = streamIdentity(this.connectInfo!, name);
    if (!identity.ok) return this.refuse(streamId, identity.reason);
    const { key, query } = identity;
    let publisher: Publisher;
    try {
      publisher = this.ctx.target.publish(key, {
        remote: this.ctx.remote,
        tcUrl: this.connectInfo!.tcUrl,
        query,
        protocol: this.ctx.protocol,
      });
    } catch (err) {
      if (err instanceof StreamBusyError) {
        return this.refuse(streamId, `stream ${streamIdOf(key)} is already being published`, key);
      }
      if (err instanceof StreamRefusedError) return this.refuse(streamId, err.message, key);
      this.logger.error({ err, stream: streamIdOf(key) }, 'publish target failed');
      return this.refuse(streamId, 'publish failed', key);
    }
    this.logger = this.ctx.logger.child({ domain: key.domain, app: key.app, stream: key.stream });
    const forwarder = new VideoForwarder(publisher, this.ctx.parsers, this.logger);
    this.publishing = { streamId, key, publisher, forwarder, startedAt: Date.now() };
    this.ctx.send(userControlMessage(UserControlEvent.StreamBegin, streamId));
    this.ctx.send(
      onStatusMessage(streamId, {
        level: StatusLevel.Status,
        code: NetStatus.PublishStart,
        description: `${key.stream} is now published.`,
        details: key.stream,
      }),
    );
    this.logger.info({ query }, 'publish started');
  }

  private refuse(streamId: number, reason: string, key?: StreamKey): void {
    this.ctx.send(
      onStatusMessage(streamId, {
        level: StatusLevel.Error,
        code: NetStatus.PublishBadName,
        description: reason,
      }),
    );
    this.logger.warn({ reason, ...key }, 'publish refused');
    this.ctx.close(`publish refused: ${reason}`);
  }

  private unpublish(reason: string): void {
    const streamId = this.publishing?.streamId;
    if (streamId === undefined) return;
    this.endPublish(reason);
    this.ctx.send(
      onStatusMessage(streamId, {
        level: StatusLevel.Status,
        code: NetStatus.UnpublishSuccess,
        description: 'stream is now unpublished.',
      }),
    );
  }

  private endPublish(reason: string): void {
    const p = this.publishing;
    if (!p) return;
    this.publishing = undefined;
    p.publisher.close(reason);
    this.logger.info(
      { reason, durationMs: Date.now() - p.startedAt, ...p.forwarder.stats },
      'publish ended',
    );
  }
}
