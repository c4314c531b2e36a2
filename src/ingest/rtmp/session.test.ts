import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { MediaFormatError, StreamBusyError } from '../../errors.js';
import { encodeAmf0 } from '../../media/amf0.js';
import type { VideoTag } from '../../media/flv-types.js';
import { silentLogger } from '../../log.js';
import {
  streamId,
  type PublishInfo,
  type Publisher,
  type PublishTarget,
  type StreamKey,
} from '../../stream/stream-types.js';
import { parseCommand } from './commands.js';
import { parseUserControl } from './control-messages.js';
import { RtmpPublishClient } from './publish-client.js';
import { MessageType, UserControlEvent } from './rtmp-types.js';
import { RtmpSession, type RtmpLimits } from './session.js';
import type { VideoParsers } from './video-forwarder.js';

interface Published {
  key: StreamKey;
  info: PublishInfo;
  events: unknown[][];
  closes: string[];
}

/** A PublishTarget that records everything and refuses a second live publisher. */
class RecordingTarget implements PublishTarget {
  readonly published: Published[] = [];
  private readonly live = new Set<string>();

  publish(key: StreamKey, info: PublishInfo): Publisher {
    const id = streamId(key);
    if (this.live.has(id)) throw new StreamBusyError(id);
    this.live.add(id);
    const rec: Published = { key, info, events: [], closes: [] };
    this.published.push(rec);
    return {
      key,
      metadata: (m) => rec.events.push(['metadata', m]),
      videoConfig: (c) => rec.events.push(['config', c.codec, c.width]),
      accessUnit: (u) => rec.events.push(['unit', u.dts, u.pts, u.keyframe]),
      endOfSequence: () => rec.events.push(['eos']),
      close: (reason) => {
        rec.closes.push(reason);
        this.live.delete(id);
      },
    };
  }
}

/** Stub parser: body "c" config, "k<cts>" keyframe, "d<cts>" frame, "e" end, "x" malformed. */
const parsers: VideoParsers = {
  parseVideoTag: (body): VideoTag => {
    const s = body.toString();
    if (s === 'x') throw new MediaFormatError('malformed');
    if (s === 'c') return { kind: 'config', codec: 'h264', record: body };
    if (s === 'e') return { kind: 'end-of-sequence', codec: 'h264' };
    return {
      kind: 'frame',
      codec: 'h264',
      keyframe: s[0] === 'k',
      compositionTime: Number(s.slice(1)),
      data: body,
    };
  },
  parseCodecRecord: () => ({ width: 320, height: 240, profile: 'High' }),
};

const LIMITS: RtmpLimits = { idleTimeoutMs: 400, handshakeTimeoutMs: 400, maxMessageSize: 65536 };

async function harness(): Promise<{
  port: number;
  target: RecordingTarget;
  sessions: RtmpSession[];
  close: () => Promise<void>;
}> {
  const target = new RecordingTarget();
  const sessions: RtmpSession[] = [];
  const server = net.createServer((socket) => {
    const s = new RtmpSession({
      socket,
      protocol: 'rtmp',
      limits: LIMITS,
      target,
      parsers,
      logger: silentLogger(),
    });
    sessions.push(s);
    s.start();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    target,
    sessions,
    close: async () => {
      for (const s of sessions) s.close('test over');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const h = await harness();
after(() => h.close());

const connect = (app = 'live', extra: { digest?: boolean; tcUrl?: string } = {}) =>
  RtmpPublishClient.connect({ host: '127.0.0.1', port: h.port, app, ...extra });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}
const last = (): RtmpSession => h.sessions[h.sessions.length - 1]!;
const statusCodes = (c: RtmpPublishClient): unknown[] =>
  c
    .commands()
    .filter((x) => x.name === 'onStatus')
    .map((x) => (x.args[0] as { code: string }).code);

describe('rtmp session: publish flow', () => {
  it('connect replies: window ack size, peer bandwidth, chunk size 4096, Connect.Success', async () => {
    const c = await connect();
    const types = c.received.map((m) => m.type);
    assert.deepEqual(types.slice(0, 3), [
      MessageType.WindowAckSize,
      MessageType.SetPeerBandwidth,
      MessageType.SetChunkSize,
    ]);
    assert.equal(c.received[2]!.payload.readUInt32BE(0), 4096);
    const result = c.commands()[0]!;
    assert.equal(result.name, '_result');
    assert.equal((result.args[0] as { code: string }).code, 'NetConnection.Connect.Success');
    await c.close();
  });

  it('publishes: identity, metadata, config, access units, unpublish; close once', async () => {
    const c = await connect('live', { tcUrl: 'rtmp://Cam.Example.com:1935/live' });
    const status = await c.publish('cam1?token=t');
    assert.equal(status['code'], 'NetStream.Publish.Start');
    const begin = c.received.find((m) => m.type === MessageType.UserControl)!;
    assert.deepEqual(parseUserControl(begin), { event: UserControlEvent.StreamBegin, value: 1 });
    const rec = h.target.published.at(-1)!;
    assert.deepEqual(rec.key, { domain: 'cam.example.com', app: 'live', stream: 'cam1' });
    assert.equal(rec.info.protocol, 'rtmp');
    assert.deepEqual(rec.info.query, { token: 't' });
    assert.equal(rec.info.tcUrl, 'rtmp://Cam.Example.com:1935/live');

    c.metadata({ width: 320, height: 240 });
    c.video(0, Buffer.from('c'));
    c.video(0, Buffer.from('k80'));
    c.video(40, Buffer.from('d40'));
    c.video(40, Buffer.from('x'));
    c.video(80, Buffer.from('e'));
    c.unpublish();
    await until(() => rec.closes.length > 0);
    assert.deepEqual(rec.events, [
      ['metadata', { width: 320, height: 240 }],
      ['config', 'h264', 320],
      ['unit', 0, 80, true],
      ['unit', 40, 80, false],
      ['eos'],
    ]);
    assert.deepEqual(rec.closes, ['unpublished by client']);
    await c.waitFor(
      (m) =>
        m.type === MessageType.CommandAmf0 &&
        JSON.stringify(parseCommand(m)).includes('Unpublish.Success'),
    );
    await c.close();
    await until(() => last().closed);
    assert.deepEqual(rec.closes, ['unpublished by client'], 'closed exactly once');
  });

  it('digest handshake and an AMF3 (type 17) connect', async () => {
    const c = await connect('live', { digest: true });
    const from = c.received.length;
    c.send({
      csid: 3,
      type: MessageType.CommandAmf3,
      streamId: 0,
      timestamp: 0,
      payload: Buffer.concat([Buffer.of(0), encodeAmf0('createStream', 7, null)]),
    });
    const reply = await c.waitFor((m) => m.type === MessageType.CommandAmf0, from);
    assert.deepEqual(parseCommand(reply!).args, [1]);
    await c.close();
  });

  it('answers pings and acknowledges each window of received bytes', async () => {
    const c = await connect();
    const ping = Buffer.alloc(6);
    ping.writeUInt16BE(UserControlEvent.PingRequest, 0);
    ping.writeUInt32BE(123456, 2);
    c.send({ csid: 2, type: MessageType.UserControl, streamId: 0, timestamp: 0, payload: ping });
    const pong = await c.waitFor((m) => m.type === MessageType.UserControl);
    assert.deepEqual(parseUserControl(pong!), {
      event: UserControlEvent.PingResponse,
      value: 123456,
    });

    const win = Buffer.alloc(4);
    win.writeUInt32BE(5000);
    c.send({ csid: 2, type: MessageType.WindowAckSize, streamId: 0, timestamp: 0, payload: win });
    const ackCount = (): number =>
      c.received.filter((m) => m.type === MessageType.Acknowledgement).length;
    for (let i = 1; i <= 3; i++) {
      // 3 × 2000 bytes of an unknown message type: ignored, but counted.
      for (let j = 0; j < 3; j++) {
        c.send({ csid: 8, type: 99, streamId: 0, timestamp: 0, payload: Buffer.alloc(2000) });
      }
      await until(() => ackCount() === i);
    }
    const acks = c.received
      .filter((m) => m.type === MessageType.Acknowledgement)
      .map((m) => m.payload.readUInt32BE(0));
    for (let i = 1; i < acks.length; i++) assert.ok(acks[i]! - acks[i - 1]! >= 5000);
    assert.ok(acks[2]! > 3 * 6000, 'sequence numbers count every byte received');
    assert.equal(last().closed, false, 'unknown message types are ignored');
    await c.close();
  });

  it('aggregate messages carry video', async () => {
    const c = await connect();
    await c.publish('agg');
    const tag = (ts: number, body: string): Buffer => {
      const hd = Buffer.alloc(11);
      hd[0] = 9;
      hd.writeUIntBE(body.length, 1, 3);
      hd.writeUIntBE(ts, 4, 3);
      return Buffer.concat([hd, Buffer.from(body), Buffer.alloc(4)]);
    };
    c.send({
      csid: 6,
      type: MessageType.Aggregate,
      streamId: 1,
      timestamp: 1000,
      payload: Buffer.concat([tag(0, 'k0'), tag(40, 'd0')]),
    });
    const rec = h.target.published.at(-1)!;
    await until(() => rec.events.length === 2);
    assert.deepEqual(rec.events, [
      ['unit', 1000, 1000, true],
      ['unit', 1040, 1040, false],
    ]);
    await c.close();
  });
});

describe('rtmp session: refusals', () => {
  it('a bad stream name gets NetStream.Publish.BadName and the connection closes', async () => {
    const c = await connect();
    const status = await c.publish('a/b');
    assert.equal(status['code'], 'NetStream.Publish.BadName');
    assert.equal(status['level'], 'error');
    await until(() => c.closed);
    assert.match(last().closeReason!, /publish refused/);
  });

  it('a second publisher of a live stream is refused; the first keeps going', async () => {
    const first = await connect();
    await first.publish('busy');
    const second = await connect();
    const status = await second.publish('busy');
    assert.equal(status['code'], 'NetStream.Publish.BadName');
    await until(() => second.closed);
    first.video(0, Buffer.from('k0'));
    const rec = h.target.published.find((p) => p.key.stream === 'busy')!;
    await until(() => rec.events.length === 1);
    assert.deepEqual(rec.closes, []);
    assert.equal(h.target.published.filter((p) => p.key.stream === 'busy').length, 1);
    await first.close();
    await until(() => rec.closes.length === 1);
    assert.deepEqual(rec.closes, ['client disconnected']);
  });

  it('play is refused politely', async () => {
    const c = await connect();
    c.command(1, 'play', 0, null, 'x');
    await until(() => c.closed);
    assert.deepEqual(statusCodes(c), ['NetStream.Play.Failed']);
  });
});

describe('rtmp session: timeouts and bad input', () => {
  it('handshake timeout', async () => {
    const sock = net.connect(h.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.resume();
    sock.write(Buffer.of(3));
    await new Promise((r) => sock.once('close', r));
    assert.match(last().closeReason!, /handshake not completed within 400 ms/);
  });

  it('garbage instead of a handshake closes at once', async () => {
    const sock = net.connect(h.port, '127.0.0.1');
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('connect', r));
    sock.resume();
    sock.write('GET / HTTP/1.1\r\n\r\n');
    await new Promise((r) => sock.once('close', r));
    assert.match(last().closeReason!, /protocol error: handshake: unsupported RTMP version 71/);
  });

  it('a client that stops mid-message is closed by the idle timeout; the publish ends', async () => {
    const c = await connect();
    await c.publish('stall');
    const partial = Buffer.from([0x06, 0, 0, 0, 0, 0x10, 0, 9, 1, 0, 0, 0, 1, 2, 3]);
    c.socket.write(partial);
    await until(() => c.closed, 3000);
    const rec = h.target.published.find((p) => p.key.stream === 'stall')!;
    assert.deepEqual(rec.closes, ['idle: nothing received for 400 ms']);
  });

  it('absurd message lengths close the connection', async () => {
    const c = await connect();
    await c.publish('huge');
    c.socket.write(Buffer.from([0x06, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0]));
    await until(() => c.closed);
    const rec = h.target.published.find((p) => p.key.stream === 'huge')!;
    assert.match(rec.closes[0]!, /protocol error: message of 16777215 bytes exceeds the limit/);
  });

  it('a command before connect is a protocol error', async () => {
    const sock = net.connect(h.port, '127.0.0.1');
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('connect', r));
    sock.resume();
    const c1 = Buffer.alloc(1536);
    sock.write(Buffer.concat([Buffer.of(3), c1, c1]));
    const body = encodeAmf0('publish', 0, null, 'x');
    const hdr = Buffer.from([0x03, 0, 0, 0, 0, 0, body.length, 20, 0, 0, 0, 0]);
    sock.write(Buffer.concat([hdr, body]));
    await new Promise((r) => sock.once('close', r));
    assert.match(last().closeReason!, /command "publish" before connect/);
  });

  it('close() from the server ends the publish exactly once', async () => {
    const c = await connect();
    await c.publish('srvclose');
    const s = last();
    s.close('server closing');
    s.close('again');
    await until(() => c.closed);
    const rec = h.target.published.find((p) => p.key.stream === 'srvclose')!;
    assert.deepEqual(rec.closes, ['server closing']);
  });
});
