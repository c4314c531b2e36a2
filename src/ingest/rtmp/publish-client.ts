import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { ProtocolError } from '../../errors.js';
import { encodeAmf0, type AmfObject, type AmfValue } from '../../media/amf0.js';
import { ChunkReader } from './chunk-reader.js';
import { ChunkWriter } from './chunk-writer.js';
import { isAmfObject, parseCommand, type Command } from './commands.js';
import { parseUserControl, setChunkSizeMessage, userControlMessage } from './control-messages.js';
import {
  DigestScheme,
  GENUINE_FP_KEY_TEXT,
  HANDSHAKE_SIZE,
  imprintDigest,
  RTMP_VERSION,
} from './handshake.js';
import {
  ClientChunkStreamId,
  MessageType,
  UserControlEvent,
  type RtmpMessage,
} from './rtmp-types.js';

/**
 * A minimal RTMP publishing client: handshake (simple or digest), connect, createStream,
 * publish, then raw FLV video tag bodies and metadata. Used by the tests and the benchmark to
 * drive the server without an external encoder, and to script misbehaving clients.
 */

export interface PublishClientOptions {
  readonly host: string;
  readonly port: number;
  readonly app: string;
  /** Default rtmp://host:port/app. */
  readonly tcUrl?: string;
  /** Digest ("complex") handshake as FFmpeg sends it; default simple. */
  readonly digest?: boolean;
  /** Chunk size announced and used for sending (default 4096). */
  readonly chunkSize?: number;
  /** Connect with TLS (RTMPS); certificates are not verified. */
  readonly tls?: boolean;
  /** Give up waiting for a reply after this long (default 5000 ms). */
  readonly timeoutMs?: number;
}

/** Flash Player version in a digest C1, as FFmpeg sends it (128.0.7.2). */
const CLIENT_VERSION = 0x80000702;

export class RtmpPublishClient {
  /** Every message the server sent, in order. */
  readonly received: RtmpMessage[] = [];
  /** Set once the socket closed. */
  closed = false;
  private readonly writer = new ChunkWriter();
  private readonly reader: ChunkReader;
  private waiters: (() => void)[] = [];
  private transactionId = 1;
  private streamId = 0;

  private constructor(
    readonly socket: net.Socket,
    private readonly options: PublishClientOptions,
  ) {
    this.reader = new ChunkReader({
      maxMessageSize: 1 << 20,
      onMessage: (m) => {
        this.received.push(m);
        this.answerPing(m);
        this.wake();
      },
    });
  }

  /** Open the connection, handshake and send `connect`; resolves after its `_result`. */
  static async connect(options: PublishClientOptions): Promise<RtmpPublishClient> {
    const socket = await RtmpPublishClient.open(options);
    const client = new RtmpPublishClient(socket, options);
    await client.handshake();
    const chunkSize = options.chunkSize ?? 4096;
    client.send(setChunkSizeMessage(chunkSize));
    client.writer.setChunkSize(chunkSize);
    const tcUrl = options.tcUrl ?? `rtmp://${options.host}:${options.port}/${options.app}`;
    const result = await client.call('connect', { app: options.app, tcUrl, type: 'nonprivate' });
    if (result.name !== '_result') throw new ProtocolError(`connect failed: ${result.name}`);
    return client;
  }

  private static open(options: PublishClientOptions): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tls.connect({ host: options.host, port: options.port, rejectUnauthorized: false })
        : net.connect({ host: options.host, port: options.port });
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  private async handshake(): Promise<void> {
    const c1 = randomBytes(HANDSHAKE_SIZE);
    c1.writeUInt32BE(0, 0);
    if (this.options.digest) {
      c1.writeUInt32BE(CLIENT_VERSION, 4);
      imprintDigest(c1, DigestScheme.Scheme0, GENUINE_FP_KEY_TEXT);
    } else {
      c1.writeUInt32BE(0, 4);
    }
    this.socket.write(Buffer.concat([Buffer.of(RTMP_VERSION), c1]));
    const s0s1s2 = await this.readExactly(1 + 2 * HANDSHAKE_SIZE);
    this.socket.write(s0s1s2.subarray(1, 1 + HANDSHAKE_SIZE)); // C2 echoes S1
    this.socket.on('data', (d: Buffer) => {
      try {
        this.reader.push(d);
      } catch {
        this.socket.destroy();
      }
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => undefined);
  }

  private readExactly(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let have = 0;
      const onData = (d: Buffer): void => {
        parts.push(d);
        have += d.length;
        if (have < n) return;
        this.socket.off('data', onData);
        const all = Buffer.concat(parts);
        if (all.length > n) this.reader.push(all.subarray(n));
        resolve(all.subarray(0, n));
      };
      this.socket.on('data', onData);
      this.socket.once('close', () => reject(new ProtocolError('closed during handshake')));
    });
  }

  /** Message stream id of the publish (from createStream), 0 before. */
  get messageStreamId(): number {
    return this.streamId;
  }

  /** Servers may ping an idle-looking client and drop it when it does not answer. */
  private answerPing(m: RtmpMessage): void {
    if (m.type !== MessageType.UserControl || this.closed) return;
    const { event, value } = parseUserControl(m);
    if (event === (UserControlEvent.PingRequest as number)) {
      this.send(userControlMessage(UserControlEvent.PingResponse, value));
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Wait for a received message matching `predicate` (searching from index `from`). */
  async waitFor(
    predicate: (m: RtmpMessage) => boolean,
    from = 0,
  ): Promise<RtmpMessage | undefined> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 5000);
    for (;;) {
      const found = this.received.slice(from).find(predicate);
      if (found) return found;
      if (this.closed || Date.now() > deadline) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Commands the server sent (`_result`, `onStatus`, ...). */
  commands(): Command[] {
    return this.received
      .filter((m) => m.type === MessageType.CommandAmf0)
      .map((m) => parseCommand(m));
  }

  send(message: Omit<RtmpMessage, 'csid'> & { csid: number }): void {
    this.socket.write(this.writer.write(message));
  }

  /** Send a command and wait for its `_result`/`_error`. */
  async call(name: string, object: AmfValue, ...args: AmfValue[]): Promise<Command> {
    const tx = this.transactionId++;
    const from = this.received.length;
    this.command(0, name, tx, object, ...args);
    const reply = await this.waitFor((m) => {
      if (m.type !== MessageType.CommandAmf0) return false;
      const c = parseCommand(m);
      return (c.name === '_result' || c.name === '_error') && c.transactionId === tx;
    }, from);
    if (!reply) throw new ProtocolError(`no reply to ${name}`);
    return parseCommand(reply);
  }

  command(streamId: number, name: string, tx: number, ...values: AmfValue[]): void {
    this.send({
      csid: ClientChunkStreamId.Command,
      type: MessageType.CommandAmf0,
      streamId,
      timestamp: 0,
      payload: encodeAmf0(name, tx, ...values),
    });
  }

  /** releaseStream, FCPublish, createStream, publish; resolves with the onStatus info. */
  async publish(name: string): Promise<AmfObject> {
    this.command(0, 'releaseStream', this.transactionId++, null, name);
    this.command(0, 'FCPublish', this.transactionId++, null, name);
    const created = await this.call('createStream', null);
    const id = created.args[0];
    if (typeof id !== 'number') throw new ProtocolError('createStream returned no stream id');
    this.streamId = id;
    const from = this.received.length;
    this.command(id, 'publish', 0, null, name, 'live');
    const status = await this.waitFor(
      (m) => m.type === MessageType.CommandAmf0 && parseCommand(m).name === 'onStatus',
      from,
    );
    const info = status ? parseCommand(status).args[0] : undefined;
    if (!info || !isAmfObject(info)) throw new ProtocolError('no onStatus reply to publish');
    return info;
  }

  /** One FLV video tag body as a video message. */
  video(timestamp: number, body: Buffer): void {
    this.send({
      csid: ClientChunkStreamId.Video,
      type: MessageType.Video,
      streamId: this.streamId,
      timestamp,
      payload: body,
    });
  }

  metadata(meta: AmfObject): void {
    this.send({
      csid: ClientChunkStreamId.Data,
      type: MessageType.DataAmf0,
      streamId: this.streamId,
      timestamp: 0,
      payload: encodeAmf0('@setDataFrame', 'onMetaData', meta),
    });
  }

  /** FCUnpublish + deleteStream, as FFmpeg ends a publish. */
  unpublish(): void {
    this.command(0, 'FCUnpublish', this.transactionId++, null, 'x');
    this.command(0, 'deleteStream', this.transactionId++, null, this.streamId);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }
}
