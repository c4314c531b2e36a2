/**
 * Real clients push to a real RtmpServer: FFmpeg's RTMP client (the ffmpeg CLI), GStreamer's
 * rtmp2sink, RTMPS from FFmpeg. The recording target sees what the hub would be handed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StreamBusyError } from '../src/errors.js';
import { RtmpPublishClient } from '../src/ingest/rtmp/publish-client.js';
import { RtmpServer } from '../src/ingest/rtmp/server.js';
import { silentLogger } from '../src/log.js';
import {
  streamId,
  type AccessUnit,
  type CodecConfig,
  type PublishInfo,
  type Publisher,
  type PublishTarget,
  type StreamKey,
} from '../src/stream/stream-types.js';

interface Published {
  key: StreamKey;
  info: PublishInfo;
  configs: CodecConfig[];
  units: AccessUnit[];
  metadata: Record<string, unknown>[];
  closes: string[];
}

class RecordingTarget implements PublishTarget {
  readonly published: Published[] = [];
  private readonly live = new Set<string>();

  publish(key: StreamKey, info: PublishInfo): Publisher {
    const id = streamId(key);
    if (this.live.has(id)) throw new StreamBusyError(id);
    this.live.add(id);
    const rec: Published = { key, info, configs: [], units: [], metadata: [], closes: [] };
    this.published.push(rec);
    return {
      key,
      metadata: (m) => rec.metadata.push({ ...m }),
      videoConfig: (c) => rec.configs.push(c),
      accessUnit: (u) => rec.units.push(u),
      endOfSequence: () => undefined,
      close: (reason) => {
        rec.closes.push(reason);
        this.live.delete(id);
      },
    };
  }

  find(stream: string): Published[] {
    return this.published.filter((p) => p.key.stream === stream);
  }
}

const has = (bin: string): boolean =>
  spawnSync(bin, ['-version'], { stdio: 'ignore' }).status === 0;
const HAVE_FFMPEG = has('ffmpeg');
const HAVE_GST = spawnSync('gst-inspect-1.0', ['rtmp2sink'], { stdio: 'ignore' }).status === 0;
const HAVE_OPENSSL = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

interface Run {
  code: number | null;
  stderr: string;
}

function run(bin: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

const ffmpegPush = (url: string, seconds: number, realtime = false): Promise<Run> =>
  run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    ...(realtime ? ['-re'] : []),
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-g',
    '25',
    '-bf',
    '2',
    '-f',
    'flv',
    url,
  ]);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** Decode the first keyframe with the codec configuration record: proves both are usable. */
function decodesFirstKeyframe(config: CodecConfig, units: AccessUnit[]): number {
  const rec = config.record;
  const start = Buffer.of(0, 0, 0, 1);
  const annexB: Buffer[] = [];
  let p = 5;
  const sps = rec[p++]! & 0x1f;
  for (let i = 0; i < sps; i++) {
    const len = rec.readUInt16BE(p);
    annexB.push(start, rec.subarray(p + 2, p + 2 + len));
    p += 2 + len;
  }
  const pps = rec[p++]!;
  for (let i = 0; i < pps; i++) {
    const len = rec.readUInt16BE(p);
    annexB.push(start, rec.subarray(p + 2, p + 2 + len));
    p += 2 + len;
  }
  const key = units.find((u) => u.keyframe)!;
  for (let q = 0; q < key.data.length;) {
    const len = key.data.readUInt32BE(q);
    annexB.push(start, key.data.subarray(q + 4, q + 4 + len));
    q += 4 + len;
  }
  const out = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'h264',
      '-i',
      '-',
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-',
    ],
    { input: Buffer.concat(annexB), maxBuffer: 16 << 20 },
  );
  return out.stdout.length;
}

const target = new RecordingTarget();
const workDir = mkdtempSync(join(tmpdir(), 'livesnap-rtmp-'));
let server: RtmpServer;
let port = 0;
let tlsPort: number | undefined;

before(async () => {
  let tls: { cert: Buffer; key: Buffer; port: number } | undefined;
  if (HAVE_OPENSSL) {
    const key = join(workDir, 'key.pem');
    const cert = join(workDir, 'cert.pem');
    const gen = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ]);
    if (gen.status === 0) tls = { cert: readFileSync(cert), key: readFileSync(key), port: 0 };
  }
  server = new RtmpServer({
    host: '127.0.0.1',
    port: 0,
    // x264's lookahead holds frames back for ~1.6 s at 25 fps under -re: idle must exceed it.
    limits: {
      idleTimeoutMs: 2500,
      handshakeTimeoutMs: 700,
      maxMessageSize: 4 << 20,
      maxConnections: 50,
    },
    target,
    logger: silentLogger(),
    tls,
  });
  ({ port, tlsPort } = await server.start());
});

after(async () => {
  await server.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('real clients push H.264 over RTMP', () => {
  it(
    'ffmpeg CLI (FFmpeg RTMP client, digest handshake)',
    { skip: !HAVE_FFMPEG && 'ffmpeg not installed' },
    async () => {
      const r = await ffmpegPush(`rtmp://127.0.0.1:${port}/live/cam1`, 4);
      assert.equal(r.code, 0, r.stderr);
      const [rec] = target.find('cam1');
      assert.ok(rec);
      await until(() => rec.closes.length > 0);
      assert.deepEqual(rec.key, { domain: '127.0.0.1', app: 'live', stream: 'cam1' });
      assert.equal(rec.info.protocol, 'rtmp');
      assert.equal(rec.units.length, 100);
      const keys = rec.units.filter((u) => u.keyframe);
      assert.deepEqual(
        keys.map((u) => u.dts),
        [0, 1000, 2000, 3000],
      );
      assert.ok(
        rec.units.some((u) => u.pts !== u.dts),
        'B-frames carry composition times',
      );
      assert.equal(rec.configs.length, 1);
      const c = rec.configs[0]!;
      assert.deepEqual([c.codec, c.width, c.height, c.profile], ['h264', 320, 240, 'High']);
      assert.equal(rec.metadata[0]?.['width'], 320);
      assert.deepEqual(rec.closes, ['unpublished by client']);
      assert.equal(decodesFirstKeyframe(c, rec.units), 320 * 240);
    },
  );

  it(
    'GStreamer rtmp2sink (simple handshake)',
    { skip: !HAVE_GST && 'gstreamer rtmp2sink not installed' },
    async () => {
      const r = await run('gst-launch-1.0', [
        '-q',
        '-e',
        'videotestsrc',
        'num-buffers=100',
        '!',
        'video/x-raw,width=320,height=240,framerate=25/1',
        '!',
        'x264enc',
        'key-int-max=25',
        '!',
        'flvmux',
        'streamable=true',
        '!',
        'rtmp2sink',
        'sync=false',
        `location=rtmp://127.0.0.1:${port}/live/cam2`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const [rec] = target.find('cam2');
      assert.ok(rec);
      await until(() => rec.closes.length > 0);
      assert.equal(rec.units.length, 100);
      // flvmux shifts DTS below PTS for B-frames; the keyframes are 1 s apart in both.
      const keys = rec.units.filter((u) => u.keyframe);
      assert.deepEqual(
        keys.map((u) => u.pts),
        [0, 1000, 2000, 3000],
      );
      const c = rec.configs[0]!;
      assert.deepEqual([c.codec, c.width, c.height], ['h264', 320, 240]);
      assert.equal(decodesFirstKeyframe(c, rec.units), 320 * 240);
    },
  );

  it(
    'RTMPS from ffmpeg to the TLS port',
    { skip: (!HAVE_FFMPEG || !HAVE_OPENSSL) && 'ffmpeg or openssl missing' },
    async () => {
      assert.ok(tlsPort, 'the TLS listener started');
      const r = await ffmpegPush(`rtmps://127.0.0.1:${tlsPort}/live/secure`, 2);
      assert.equal(r.code, 0, r.stderr);
      const [rec] = target.find('secure');
      assert.ok(rec);
      await until(() => rec.closes.length > 0);
      assert.equal(rec.info.protocol, 'rtmps');
      assert.equal(rec.units.length, 50);
      assert.deepEqual(
        rec.units.filter((u) => u.keyframe).map((u) => u.dts),
        [0, 1000],
      );
    },
  );

  it(
    'ffmpeg playing: our digest S1/S2 pass its verification; play is refused',
    { skip: !HAVE_FFMPEG && 'ffmpeg not installed' },
    async () => {
      const r = await run('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'debug',
        '-i',
        `rtmp://127.0.0.1:${port}/live/x`,
        '-f',
        'null',
        '-',
      ]);
      assert.notEqual(r.code, 0);
      assert.doesNotMatch(r.stderr, /Server response validating failed|Signature mismatch/);
      assert.match(r.stderr, /Server version 4\.5\.0\.1/);
      assert.match(r.stderr, /play is not supported/);
    },
  );
});

describe('isolation between connections', () => {
  it(
    'a second publisher of a live stream is refused; the first continues',
    { skip: !HAVE_FFMPEG && 'ffmpeg not installed' },
    async () => {
      const first = ffmpegPush(`rtmp://127.0.0.1:${port}/live/busy`, 3, true);
      await until(
        () => target.find('busy').length === 1 && target.find('busy')[0]!.units.length > 5,
      );
      const second = await ffmpegPush(`rtmp://127.0.0.1:${port}/live/busy`, 1);
      assert.notEqual(second.code, 0);
      assert.match(second.stderr, /already being published/);
      const r = await first;
      assert.equal(r.code, 0, r.stderr);
      const recs = target.find('busy');
      assert.equal(recs.length, 1);
      await until(() => recs[0]!.closes.length > 0);
      assert.equal(recs[0]!.units.length, 75);
      assert.deepEqual(recs[0]!.closes, ['unpublished by client']);
    },
  );

  it(
    'garbage, a silent client and one that stops mid-message are closed; a concurrent push is untouched',
    { skip: !HAVE_FFMPEG && 'ffmpeg not installed' },
    async () => {
      const healthy = ffmpegPush(`rtmp://127.0.0.1:${port}/live/healthy`, 2, true);
      const closed = (sock: net.Socket): Promise<number> => {
        const t0 = Date.now();
        sock.on('error', () => undefined);
        sock.resume();
        return new Promise((resolve) => sock.once('close', () => resolve(Date.now() - t0)));
      };
      const garbage = net.connect(port, '127.0.0.1', () => garbage.write(Buffer.alloc(5000, 0xab)));
      const garbageClosed = closed(garbage);
      const silent = net.connect(port, '127.0.0.1');
      const silentClosed = closed(silent);
      const stall = await RtmpPublishClient.connect({ host: '127.0.0.1', port, app: 'live' });
      await stall.publish('stall');
      stall.socket.write(Buffer.from([0x06, 0, 0, 0, 0, 0x40, 0, 9, 1, 0, 0, 0, 0x17, 1]));
      const [garbageMs, silentMs, stallMs] = await Promise.all([
        garbageClosed,
        silentClosed,
        closed(stall.socket),
      ]);
      assert.ok(garbageMs < 500, `garbage closed after ${garbageMs} ms`);
      assert.ok(silentMs >= 600 && silentMs < 2000, `silent client closed after ${silentMs} ms`);
      assert.ok(stallMs >= 2400 && stallMs < 4500, `stalled client closed after ${stallMs} ms`);
      assert.deepEqual(target.find('stall')[0]!.closes, ['idle: nothing received for 2500 ms']);

      const r = await healthy;
      assert.equal(r.code, 0, r.stderr);
      const [rec] = target.find('healthy');
      await until(() => rec!.closes.length > 0);
      assert.equal(rec!.units.length, 50);
      assert.deepEqual(rec!.closes, ['unpublished by client']);
    },
  );

  it('close() ends every live connection and publish', async () => {
    const c = await RtmpPublishClient.connect({ host: '127.0.0.1', port, app: 'live' });
    await c.publish('lingering');
    const extra = new RtmpServer({
      host: '127.0.0.1',
      port: 0,
      limits: {
        idleTimeoutMs: 5000,
        handshakeTimeoutMs: 5000,
        maxMessageSize: 1 << 20,
        maxConnections: 1,
      },
      target,
      logger: silentLogger(),
    });
    const { port: p2 } = await extra.start();
    const a = await RtmpPublishClient.connect({ host: '127.0.0.1', port: p2, app: 'live' });
    await a.publish('on-extra');
    // The connection limit (1) refuses a second connection at once.
    const refused = net.connect(p2, '127.0.0.1');
    refused.on('error', () => undefined);
    refused.resume();
    await new Promise((r) => refused.once('close', r));
    assert.equal(extra.connections, 1);
    await extra.close();
    await until(() => a.closed);
    assert.deepEqual(target.find('on-extra')[0]!.closes, ['server closing']);
    assert.equal(extra.connections, 0);
    await c.close();
  });
});
