/**
 * A minimal RTMP publishing client: simple handshake (C0/C1/C2), `connect`,
 * `releaseStream`, `FCPublish`, `createStream`, `publish`, and it resolves once the server
 * says `NetStream.Publish.Start`. After that the caller writes pre-chunked media bytes to
 * `socket` directly; the client keeps reading (answers pings, sends acknowledgements).
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { decodeAmf0Values, encodeAmf0Values, type Amf0Value } from './rtmp/amf0.js';
import {
  ChunkReader,
  ChunkStreamId,
  MessageType,
  UserControlEvent,
  chunkMessage,
  type RtmpMessage,
} from './rtmp/chunk.js';

const RTMP_VERSION = 3;
const HANDSHAKE_SIZE = 1536;

export interface PublishOptions {
  readonly host: string;
  readonly port: number;
  readonly app: string;
  /** Stream name as sent in `publish` (may carry a query such as `?vhost=…`). */
  readonly stream: string;
  /** Defaults to `rtmp://<host>:<port>/<app>`; its host is the streaming domain. */
  readonly tcUrl?: string;
  /** Outgoing chunk size announced with Set Chunk Size; default 65536. */
  readonly chunkSize?: number;
  readonly timeoutMs?: number;
}

enum Txn {
  Connect = 1,
  ReleaseStream = 2,
  FCPublish = 3,
  CreateStream = 4,
  Publish = 5,
}

type Phase = 'handshake' | 'connect' | 'createStream' | 'publish' | 'publishing' | 'closed';

export class RtmpPublisher {
  readonly socket: Socket;
  readonly chunkSize: number;
  /** Message stream id the server gave to `createStream`; media messages carry it. */
  streamId = 0;
  /** Why the connection ended, once it has. */
  closedReason: string | undefined;

  readonly #options: PublishOptions;
  readonly #reader = new ChunkReader();
  #phase: Phase = 'handshake';
  #handshake: Buffer = Buffer.alloc(0);
  #received = 0;
  #ackWindow = 0;
  #lastAck = 0;
  #settle: { resolve: () => void; reject: (err: Error) => void } | undefined;

  private constructor(options: PublishOptions) {
    this.#options = options;
    this.chunkSize = options.chunkSize ?? 65536;
    this.socket = tcpConnect({ host: options.host, port: options.port, noDelay: true });
  }

  /** Connects and publishes; rejects with the server's reason when it refuses. */
  static async publish(options: PublishOptions): Promise<RtmpPublisher> {
    const client = new RtmpPublisher(options);
    await client.#run();
    return client;
  }

  /** Writes already-chunked bytes; false when the socket's buffer is over its high mark. */
  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  close(): void {
    this.#phase = 'closed';
    this.socket.destroy();
  }

  #run(): Promise<void> {
    const { socket } = this;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(new Error(`no NetStream.Publish.Start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#settle = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      socket.on('connect', () => {
        const c1 = Buffer.alloc(HANDSHAKE_SIZE);
        randomBytes(HANDSHAKE_SIZE - 8).copy(c1, 8); // time = 0, zero = 0: simple handshake
        socket.write(Buffer.concat([Buffer.of(RTMP_VERSION), c1]));
      });
      socket.on('data', (data: Buffer) => {
        try {
          this.#onData(data);
        } catch (err) {
          this.#fail(err instanceof Error ? err : new Error(String(err)));
        }
      });
      socket.on('error', (err) => this.#fail(err));
      socket.on('close', () => this.#fail(new Error('connection closed by the server')));
    });
  }

  #fail(err: Error): void {
    if (this.#phase === 'closed' && !this.#settle) return; // we closed it ourselves
    this.closedReason ??= err.message;
    if (this.#phase !== 'closed') this.close();
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.reject(err);
  }

  #onData(data: Buffer): void {
    if (this.#phase === 'handshake') {
      this.#handshake = Buffer.concat([this.#handshake, data]);
      const need = 1 + 2 * HANDSHAKE_SIZE;
      if (this.#handshake.length < need) return;
      if (this.#handshake[0] !== RTMP_VERSION) throw new Error('RTMP: bad S0 version');
      const s1 = this.#handshake.subarray(1, 1 + HANDSHAKE_SIZE);
      this.socket.write(Buffer.from(s1)); // C2 echoes S1
      const rest = this.#handshake.subarray(need);
      this.#handshake = Buffer.alloc(0);
      this.#phase = 'connect';
      this.#sendConnect();
      if (rest.length === 0) return;
      data = rest;
    }
    this.#received += data.length;
    if (this.#ackWindow > 0 && this.#received - this.#lastAck >= this.#ackWindow) {
      this.#lastAck = this.#received;
      const payload = Buffer.alloc(4);
      payload.writeUInt32BE(this.#received >>> 0);
      this.#send(ChunkStreamId.Control, MessageType.Acknowledgement, 0, payload);
    }
    for (const message of this.#reader.push(data)) this.#onMessage(message);
  }

  #send(csid: number, typeId: number, streamId: number, payload: Buffer): void {
    this.socket.write(
      chunkMessage(csid, { typeId, timestamp: 0, streamId, payload }, this.chunkSize),
    );
  }

  #command(csid: number, streamId: number, values: Amf0Value[]): void {
    this.#send(csid, MessageType.CommandAmf0, streamId, encodeAmf0Values(values));
  }

  #sendConnect(): void {
    const { host, port, app } = this.#options;
    const chunkSize = Buffer.alloc(4);
    chunkSize.writeUInt32BE(this.chunkSize);
    // Announce our chunk size first, with a 128-byte chunk: it is what the server expects now.
    this.socket.write(
      chunkMessage(
        ChunkStreamId.Control,
        { typeId: MessageType.SetChunkSize, timestamp: 0, streamId: 0, payload: chunkSize },
        128,
      ),
    );
    this.#command(ChunkStreamId.Command, 0, [
      'connect',
      Txn.Connect,
      {
        app,
        type: 'nonprivate',
        flashVer: 'FMLE/3.0 (compatible; livesnap-bench)',
        tcUrl: this.#options.tcUrl ?? `rtmp://${host}:${port}/${app}`,
      },
    ]);
  }

  #onMessage(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.WindowAckSize:
        if (message.payload.length >= 4) this.#ackWindow = message.payload.readUInt32BE(0);
        return;
      case MessageType.UserControl:
        if (
          message.payload.length >= 6 &&
          message.payload.readUInt16BE(0) === UserControlEvent.PingRequest
        ) {
          const pong = Buffer.alloc(6);
          pong.writeUInt16BE(UserControlEvent.PingResponse, 0);
          message.payload.copy(pong, 2, 2, 6);
          this.#send(ChunkStreamId.Control, MessageType.UserControl, 0, pong);
        }
        return;
      case MessageType.CommandAmf0:
        this.#onCommand(decodeAmf0Values(message.payload));
        return;
      default:
        return;
    }
  }

  #onCommand(values: Amf0Value[]): void {
    const [name, txn] = values;
    const { stream } = this.#options;
    if (name === '_error') throw new Error(`server refused: ${describe(values)}`);
    if (name === '_result' && txn === Txn.Connect && this.#phase === 'connect') {
      this.#phase = 'createStream';
      this.#command(ChunkStreamId.Command, 0, ['releaseStream', Txn.ReleaseStream, null, stream]);
      this.#command(ChunkStreamId.Command, 0, ['FCPublish', Txn.FCPublish, null, stream]);
      this.#command(ChunkStreamId.Command, 0, ['createStream', Txn.CreateStream, null]);
      return;
    }
    if (name === '_result' && txn === Txn.CreateStream && this.#phase === 'createStream') {
      const id = values[3];
      if (typeof id !== 'number') throw new Error('createStream returned no stream id');
      this.streamId = id;
      this.#phase = 'publish';
      this.#command(ChunkStreamId.Publish, id, ['publish', Txn.Publish, null, stream, 'live']);
      return;
    }
    if (name === 'onStatus') {
      const info = values[3];
      const code =
        info && typeof info === 'object' && !Array.isArray(info) ? info['code'] : undefined;
      if (code === 'NetStream.Publish.Start' && this.#phase === 'publish') {
        this.#phase = 'publishing';
        const settle = this.#settle;
        this.#settle = undefined;
        settle?.resolve();
      } else if (
        this.#phase !== 'publishing' &&
        typeof code === 'string' &&
        !code.endsWith('.Start')
      ) {
        throw new Error(`server refused the publish: ${code}`);
      }
    }
  }
}

function describe(values: Amf0Value[]): string {
  const info = values[3];
  if (info && typeof info === 'object' && !Array.isArray(info)) {
    return String(info['description'] ?? info['code'] ?? JSON.stringify(info));
  }
  return JSON.stringify(values);
}
