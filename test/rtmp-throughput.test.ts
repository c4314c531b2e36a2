/**
 * Sustained ingest throughput of one RTMP connection: a client writes pre-chunked H.264
 * video messages (100 KB inter frames, 4096-byte chunks, as FFmpeg chunks them) as fast as
 * the socket takes them; the server parses chunks, FLV video tags and hands access units to
 * a counting target. The figure is reported as a test diagnostic.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { it } from 'node:test';
import { ChunkWriter } from '../src/ingest/rtmp/chunk-writer.js';
import { RtmpPublishClient } from '../src/ingest/rtmp/publish-client.js';
import { MessageType } from '../src/ingest/rtmp/rtmp-types.js';
import { RtmpServer } from '../src/ingest/rtmp/server.js';
import { silentLogger } from '../src/log.js';
import type { PublishTarget } from '../src/stream/stream-types.js';

const FRAME_SIZE = 100 * 1024;
const TOTAL_BYTES = 256 * 1024 * 1024;

it('one connection sustains a high ingest rate', async (t) => {
  let units = 0;
  let unitBytes = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const frames = Math.floor(TOTAL_BYTES / FRAME_SIZE);
  const target: PublishTarget = {
    publish: (key) => ({
      key,
      metadata: () => undefined,
      videoConfig: () => undefined,
      accessUnit: (u) => {
        units++;
        unitBytes += u.data.length;
        if (units === frames) done();
      },
      endOfSequence: () => undefined,
      close: () => undefined,
    }),
  };
  const server = new RtmpServer({
    host: '127.0.0.1',
    port: 0,
    limits: {
      idleTimeoutMs: 10_000,
      handshakeTimeoutMs: 5000,
      maxMessageSize: 1 << 20,
      maxConnections: 10,
    },
    target,
    logger: silentLogger(),
  });
  const { port } = await server.start();
  const client = await RtmpPublishClient.connect({
    host: '127.0.0.1',
    port,
    app: 'live',
    chunkSize: 4096,
  });
  await client.publish('bench');

  // An H.264 inter frame: AVC NALU packet, composition time 0, one length-prefixed slice.
  const body = Buffer.alloc(FRAME_SIZE);
  body.set([0x27, 0x01, 0, 0, 0]);
  body.writeUInt32BE(FRAME_SIZE - 9, 5);
  body[9] = 0x41;
  // Same payload, same delta: from the third message on, the chunked bytes repeat exactly.
  const w = new ChunkWriter();
  w.setChunkSize(4096);
  const msg = (timestamp: number) =>
    w.write({ csid: 6, type: MessageType.Video, streamId: 1, timestamp, payload: body });
  const head = [msg(0), msg(40)];
  const repeated = msg(80);

  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (const b of head) client.socket.write(b);
  for (let i = 2; i < frames; i++) {
    if (!client.socket.write(repeated)) await once(client.socket, 'drain');
  }
  await finished;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const mbPerSecond = (frames * FRAME_SIZE) / 1e6 / seconds;
  t.diagnostic(
    `ingest throughput: ${mbPerSecond.toFixed(0)} MB/s (${frames} frames of ${FRAME_SIZE} bytes in ${seconds.toFixed(2)} s; ` +
      `process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, client included)`,
  );
  assert.equal(units, frames);
  assert.equal(unitBytes, frames * (FRAME_SIZE - 5));
  assert.ok(mbPerSecond > 20, `only ${mbPerSecond.toFixed(1)} MB/s`);
  await client.close();
  await server.close();
});
