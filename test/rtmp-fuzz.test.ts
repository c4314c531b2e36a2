/**
 * Fuzzing of the RTMP parsers with random and mutated inputs, bounded in time. Every input
 * must either parse or raise ProtocolError/MediaFormatError: no other exception, no hang, no
 * unbounded allocation. A final stage replays mutated client sessions against a live server.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { MediaFormatError, ProtocolError } from '../src/errors.js';
import { parseVideoTag } from '../src/media/flv-video.js';
import { parseCodecRecord } from '../src/media/param-sets.js';
import { decodeAmf0, encodeAmf0, type AmfValue } from '../src/media/amf0.js';
import { splitAggregate } from '../src/ingest/rtmp/aggregate.js';
import { ChunkReader } from '../src/ingest/rtmp/chunk-reader.js';
import { ChunkWriter } from '../src/ingest/rtmp/chunk-writer.js';
import { parseCommand } from '../src/ingest/rtmp/commands.js';
import { parseUserControl } from '../src/ingest/rtmp/control-messages.js';
import { HANDSHAKE_SIZE, ServerHandshake } from '../src/ingest/rtmp/handshake.js';
import { MessageType } from '../src/ingest/rtmp/rtmp-types.js';
import { RtmpServer } from '../src/ingest/rtmp/server.js';
import { silentLogger } from '../src/log.js';
import type { Publisher, PublishTarget } from '../src/stream/stream-types.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) >>> 0;
  };
}

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261121);
const BUDGET_MS = Number(process.env['FUZZ_MS'] ?? 1500);

function randomBytes(rand: (n: number) => number, len: number, alphabet?: number[]): Buffer {
  const b = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++)
    b[i] = alphabet && rand(2) ? alphabet[rand(alphabet.length)]! : rand(256);
  return b;
}

/** Bit flips, byte overwrites with interesting values, insertions, deletions, truncation. */
function mutate(rand: (n: number) => number, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + rand(8);
  for (let e = 0; e < edits && b.length > 0; e++) {
    const pos = rand(b.length);
    switch (rand(6)) {
      case 0:
        b[pos] = b[pos]! ^ (1 << rand(8));
        break;
      case 1:
        b[pos] = [0, 0xff, 0x7f, 0x80, 0x01, 0x11, 0x09, 0x03][rand(8)]!;
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, pos), randomBytes(rand, 1 + rand(8)), b.subarray(pos)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, pos), b.subarray(pos + 1 + rand(8))]);
        break;
      case 4:
        b = b.subarray(0, pos);
        break;
      default:
        if (pos + 4 <= b.length)
          b.writeUInt32BE([0xffffffff, 0x7fffffff, 0x00ffffff, 0x10000][rand(4)]!, pos);
    }
  }
  return b;
}

function expectOnlyParseErrors(run: () => void, what: string): void {
  try {
    run();
  } catch (err) {
    if (err instanceof ProtocolError || err instanceof MediaFormatError) return;
    assert.fail(`${what}: unexpected ${(err as Error)?.stack ?? String(err)}`);
  }
}

/** Run `body` for the time budget; returns the number of iterations. */
function forBudget(body: (rand: (n: number) => number, i: number) => void): number {
  const rand = prng(SEED);
  const end = Date.now() + BUDGET_MS;
  let i = 0;
  const rssBefore = process.memoryUsage().rss;
  for (; Date.now() < end; i++) body(rand, i);
  const growth = process.memoryUsage().rss - rssBefore;
  assert.ok(growth < 512 * 1024 * 1024, `memory grew by ${growth} bytes`);
  return i;
}

const sampleValues: AmfValue[] = [
  'connect',
  1,
  { app: 'live', tcUrl: 'rtmp://h/live', flashVer: 'FMLE/3.0', nested: { a: [1, 'x', null] } },
  null,
  undefined,
  true,
  new Date(0),
  ['a', 2, { b: false }],
];

describe('fuzz', () => {
  it('AMF0 decoder', () => {
    const valid = encodeAmf0(...sampleValues);
    const markers = Array.from({ length: 0x12 }, (_, i) => i);
    const n = forBudget((rand) => {
      const input = rand(2) ? mutate(rand, valid) : randomBytes(rand, rand(300), markers);
      expectOnlyParseErrors(() => decodeAmf0(input), `amf0 ${input.toString('hex')}`);
    });
    assert.ok(n > 1000, `only ${n} iterations`);
  });

  it('handshake', () => {
    const c0c1c2 = Buffer.concat([Buffer.of(3), Buffer.alloc(2 * HANDSHAKE_SIZE, 1)]);
    forBudget((rand) => {
      const input = rand(4) === 0 ? randomBytes(rand, rand(4000)) : mutate(rand, c0c1c2);
      const hs = new ServerHandshake();
      expectOnlyParseErrors(() => {
        let pos = 0;
        let replies = 0;
        while (pos < input.length) {
          const n = 1 + rand(2000);
          const step = hs.push(input.subarray(pos, pos + n));
          if (step.reply) {
            replies++;
            assert.equal(step.reply.length, 1 + 2 * HANDSHAKE_SIZE);
          }
          pos += n;
        }
        assert.ok(replies <= 1);
      }, 'handshake');
    });
  });

  it('chunk reader and the message parsers behind it', () => {
    const w = new ChunkWriter();
    const parts: Buffer[] = [];
    const size = Buffer.alloc(4);
    size.writeUInt32BE(300);
    parts.push(
      w.write({
        csid: 2,
        type: MessageType.SetChunkSize,
        streamId: 0,
        timestamp: 0,
        payload: size,
      }),
    );
    w.setChunkSize(300);
    parts.push(
      w.write({
        csid: 3,
        type: MessageType.CommandAmf0,
        streamId: 0,
        timestamp: 0,
        payload: encodeAmf0(...sampleValues),
      }),
    );
    for (let i = 0; i < 6; i++) {
      parts.push(
        w.write({
          csid: 6,
          type: MessageType.Video,
          streamId: 1,
          timestamp: i * 0x800000,
          payload: Buffer.alloc(200 + i * 150, i),
        }),
      );
      parts.push(
        w.write({
          csid: 4,
          type: MessageType.Audio,
          streamId: 1,
          timestamp: i * 23,
          payload: Buffer.alloc(50, i),
        }),
      );
    }
    const valid = Buffer.concat(parts);
    const n = forBudget((rand) => {
      const input = rand(4) === 0 ? randomBytes(rand, rand(3000)) : mutate(rand, valid);
      const reader = new ChunkReader({
        maxMessageSize: 64 * 1024,
        onMessage: (m) => {
          assert.ok(m.payload.length <= 64 * 1024);
          if (m.type === MessageType.CommandAmf0 || m.type === MessageType.CommandAmf3)
            parseCommand(m);
          if (m.type === MessageType.UserControl) parseUserControl(m);
          if (m.type === MessageType.Aggregate) splitAggregate(m);
          if (m.type === MessageType.Video) parseVideoTag(m.payload);
        },
      });
      expectOnlyParseErrors(() => {
        let pos = 0;
        while (pos < input.length) {
          const len = 1 + rand(400);
          reader.push(input.subarray(pos, pos + len));
          pos += len;
        }
      }, 'chunk reader');
    });
    assert.ok(n > 200, `only ${n} iterations`);
  });

  it('FLV video tags and codec records (the parsers a session calls)', () => {
    const seeds = [
      Buffer.from('1700000000014d401effe1000a674d401e965280a0fd08', 'hex'),
      Buffer.from('170100005000000005658880', 'hex'),
      Buffer.from('9068766331010100000000000000000000f000fcfdf8f800000f03', 'hex'),
    ];
    forBudget((rand) => {
      const input = mutate(rand, seeds[rand(seeds.length)]!);
      expectOnlyParseErrors(
        () => {
          const tag = parseVideoTag(input);
          if (tag.kind === 'config') parseCodecRecord(tag.codec, tag.record);
        },
        `video tag ${input.toString('hex')}`,
      );
    });
  });

  it('mutated client sessions against a live server never take it down', async () => {
    let published = 0;
    const publisher = (): Publisher => ({
      key: { domain: 'd', app: 'a', stream: 's' },
      metadata: () => undefined,
      videoConfig: () => undefined,
      accessUnit: () => undefined,
      endOfSequence: () => undefined,
      close: () => undefined,
    });
    const target: PublishTarget = {
      publish: () => {
        published++;
        return publisher();
      },
    };
    const server = new RtmpServer({
      host: '127.0.0.1',
      port: 0,
      limits: {
        idleTimeoutMs: 300,
        handshakeTimeoutMs: 300,
        maxMessageSize: 64 * 1024,
        maxConnections: 100,
      },
      target,
      logger: silentLogger(),
    });
    const { port } = await server.start();
    // A valid publish session, as bytes: handshake, connect, createStream, publish, video.
    const w = new ChunkWriter();
    const cmd = (streamId: number, ...v: AmfValue[]): Buffer =>
      w.write({
        csid: 3,
        type: MessageType.CommandAmf0,
        streamId,
        timestamp: 0,
        payload: encodeAmf0(...v),
      });
    const session = Buffer.concat([
      Buffer.of(3),
      Buffer.alloc(2 * HANDSHAKE_SIZE),
      cmd(0, 'connect', 1, { app: 'live', tcUrl: 'rtmp://h/live' }),
      cmd(0, 'createStream', 2, null),
      cmd(1, 'publish', 0, null, 'fuzz', 'live'),
      w.write({
        csid: 6,
        type: MessageType.Video,
        streamId: 1,
        timestamp: 0,
        payload: Buffer.from('1700000000014d401effe1000a674d401e965280a0fd08', 'hex'),
      }),
      w.write({
        csid: 6,
        type: MessageType.Video,
        streamId: 1,
        timestamp: 40,
        payload: Buffer.from('170100005000000005658880', 'hex'),
      }),
    ]);
    const rand = prng(SEED);
    const runs: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      const bytes = i === 0 ? session : mutate(rand, session);
      const pieces: Buffer[] = [];
      for (let pos = 0; pos < bytes.length;) {
        const n = 1 + rand(1500);
        pieces.push(bytes.subarray(pos, pos + n));
        pos += n;
      }
      runs.push(
        new Promise<void>((resolve) => {
          const sock = net.connect(port, '127.0.0.1', () => {
            for (const p of pieces) sock.write(p);
          });
          sock.resume();
          sock.on('error', () => undefined);
          sock.on('close', () => resolve());
          setTimeout(() => sock.destroy(), 3000).unref();
        }),
      );
    }
    await Promise.all(runs);
    assert.ok(published >= 1, 'the unmutated session published');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.connections, 0, 'every connection was closed by the server');
    await server.close();
  });
});
