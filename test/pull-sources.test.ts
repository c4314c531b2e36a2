import '../src/util/polyfill.js';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BadSourceError,
  SourceUnavailableError,
  UnsupportedSourceError,
  type PullOutcome,
} from '../src/ingest/pull-errors.js';
import { parsePullSource, pullUrlProblem, srtSupported } from '../src/ingest/pull-url.js';
import { pullSession, type PullLimits } from '../src/ingest/pull.js';
import { silentLogger } from '../src/log.js';
import { StreamHub, type StreamItem } from '../src/stream/hub.js';
import type { StreamKey } from '../src/stream/stream-types.js';
import { generateClip } from './support/media.js';
import {
  ffmpegRtmpServer,
  ffmpegSrtServer,
  freePort,
  garbageServer,
  serveDir,
  silentServer,
  waitForListener,
  writeHls,
  type DirServer,
} from './support/pull-sources.js';
import { startRtspServer } from './support/rtsp-server.js';

/**
 * One pull session (src/ingest/pull.ts) against sources the test serves: HLS and HTTP-FLV
 * over node:http, RTMP from FFmpeg's listen mode, and broken ones. Each failure must come
 * back quickly, typed (unavailable / bad / unsupported) and with a clear message.
 */

const hasFfmpeg = existsSync('/usr/bin/ffmpeg');
const KEY: StreamKey = { domain: 'jobs.test', app: 'pull', stream: 's1' };
const LIMITS: PullLimits = {
  maxWidth: 7680,
  maxHeight: 4320,
  maxPacketBytes: 16 * 1024 * 1024,
  openTimeoutMs: 2000,
  readTimeoutMs: 2000,
  startTimeoutMs: 2000,
};

interface Run {
  outcome: PullOutcome;
  items: StreamItem[];
  live: boolean;
  ms: number;
}

/** Runs one session into a fresh hub, collecting what a subscriber sees. */
async function pull(
  url: string,
  limits: Partial<PullLimits> = {},
  signal?: AbortSignal,
): Promise<Run> {
  const hub = new StreamHub({ logger: silentLogger(), subscriberQueue: 10_000 });
  const items: StreamItem[] = [];
  const collecting: Promise<void>[] = [];
  hub.on('stream.published', (stream) => {
    const sub = stream.subscribe('test');
    collecting.push(
      (async () => {
        for await (const item of sub) items.push(item);
      })(),
    );
  });
  let live = false;
  const started = performance.now();
  const outcome = await pullSession({
    source: parsePullSource(url),
    key: KEY,
    target: hub,
    limits: { ...LIMITS, ...limits },
    signal: signal ?? new AbortController().signal,
    logger: silentLogger(),
    onLive: () => (live = true),
  });
  await Promise.all(collecting);
  hub.close();
  return { outcome, items, live, ms: performance.now() - started };
}

function summary(items: StreamItem[]) {
  const configs = items.filter((i) => i.type === 'config');
  const units = items.flatMap((i) => (i.type === 'unit' ? [i.unit] : []));
  return { configs, units, keyframes: units.filter((u) => u.keyframe) };
}

describe('pull sessions', () => {
  let dir: string;
  let web: DirServer;
  let clip: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'livesnap-pull-'));
    clip = await generateClip({ codec: 'h264', width: 320, height: 240, duration: 3 });
    await writeHls(clip, join(dir, 'hls'));
    await copyFile(clip, join(dir, 'clip.flv'));
    web = await serveDir(dir);
  });
  after(async () => {
    await web.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('validates URLs: schemes, types, hosts', () => {
    assert.equal(pullUrlProblem('rtmp://example.com/live/a', 'rtmp'), undefined);
    assert.equal(pullUrlProblem('https://example.com/a.m3u8', 'hls'), undefined);
    assert.equal(pullUrlProblem('rtsp://user:pw@cam/stream', 'rtsp'), undefined);
    assert.match(pullUrlProblem('file:///etc/passwd')!, /scheme "file" is not supported/);
    assert.match(pullUrlProblem('rtsp://cam/stream', 'rtmp')!, /rtmp input needs a rtmp:\/\//);
    assert.match(pullUrlProblem('rtmp://example.com/a', 'webrtc')!, /type "webrtc"/);
    assert.match(pullUrlProblem('not a url')!, /not an absolute URL/);
    assert.equal(parsePullSource('rtsp://user:pw@cam/stream').redacted, 'rtsp://cam/stream');
    assert.equal(parsePullSource('rtmp://h/a/b').port, 1935);
  });

  it('HLS over http: Annex-B turned into a configuration and keyframes, then the end', async () => {
    const run = await pull(web.url('hls/index.m3u8'));
    assert.equal(run.outcome.end, 'ended', run.outcome.error?.message);
    assert.ok(run.live);
    const { configs, units, keyframes } = summary(run.items);
    assert.equal(configs.length, 1);
    const config = configs[0]!.type === 'config' ? configs[0]!.config : undefined;
    assert.equal(config?.width, 320);
    assert.equal(units.length, 75);
    assert.equal(keyframes.length, 3);
    assert.ok(units[1]!.dts - units[0]!.dts === 40, 'millisecond timestamps');
  });

  it('HTTP-FLV: the avcC record and length-prefixed units as sent', async () => {
    const run = await pull(web.url('clip.flv'));
    assert.equal(run.outcome.end, 'ended', run.outcome.error?.message);
    const { configs, units, keyframes } = summary(run.items);
    assert.equal(configs.length, 1);
    assert.equal(units.length, 75);
    assert.equal(keyframes.length, 3);
    assert.equal(units[0]!.dts, 0);
  });

  it('RTMP from FFmpeg in listen mode', { skip: !hasFfmpeg && 'no /usr/bin/ffmpeg' }, async () => {
    const port = await freePort();
    const server = ffmpegRtmpServer(clip, port);
    await waitForListener(port);
    const run = await pull(`rtmp://127.0.0.1:${port}/live/source`);
    await server.stop();
    assert.ok(run.live, run.outcome.error?.message);
    const { units, keyframes } = summary(run.items);
    assert.equal(units.length, 75);
    assert.equal(keyframes.length, 3);
  });

  it(
    'SRT from an FFmpeg listener (MPEG-TS, real time)',
    { skip: !(hasFfmpeg && srtSupported()) && 'no /usr/bin/ffmpeg or no libsrt' },
    async () => {
      const port = await freePort();
      const server = ffmpegSrtServer(clip, port);
      try {
        await waitForListener(port, 10_000, 'udp');
        const run = await pull(`srt://127.0.0.1:${port}`, { readTimeoutMs: 1000 });
        assert.ok(run.live, run.outcome.error?.message);
        const { keyframes } = summary(run.items);
        assert.ok(keyframes.length >= 2, `${keyframes.length} keyframes`);
      } finally {
        await server.stop();
      }
    },
  );

  it('RTSP (RTP over TCP, parameter sets in the SDP)', async () => {
    const rtsp = await startRtspServer(clip);
    try {
      const run = await pull(rtsp.url());
      assert.equal(run.outcome.end, 'ended', run.outcome.error?.message);
      const { configs, units, keyframes } = summary(run.items);
      assert.equal(configs.length, 1);
      assert.equal(units.length, 75);
      assert.equal(keyframes.length, 3);
      assert.equal(rtsp.plays, 1);
    } finally {
      await rtsp.close();
    }
  });

  it('a source that is not there: unavailable, at once', async () => {
    const port = await freePort();
    for (const url of [`rtmp://127.0.0.1:${port}/live/x`, `http://127.0.0.1:${port}/x.m3u8`]) {
      const run = await pull(url);
      assert.equal(run.outcome.end, 'failed');
      assert.ok(run.outcome.error instanceof SourceUnavailableError, url);
      assert.match(run.outcome.error.message, /Connection refused/);
      assert.ok(run.ms < 1500, `${url} took ${run.ms} ms`);
    }
    web.mode = 'offline';
    try {
      const run = await pull(web.url('hls/index.m3u8'));
      assert.ok(run.outcome.error instanceof SourceUnavailableError);
      assert.match(run.outcome.error.message, /404/);
    } finally {
      web.mode = 'live';
    }
  });

  it('garbage over RTMP and HTTP: a bad source, within the deadlines', async () => {
    const garbage = await garbageServer();
    try {
      for (const url of [
        `rtmp://127.0.0.1:${garbage.port}/live/x`,
        `http://127.0.0.1:${garbage.port}/x.flv`,
      ]) {
        const run = await pull(url);
        assert.equal(run.outcome.end, 'failed');
        assert.ok(
          run.outcome.error instanceof BadSourceError,
          `${url}: ${run.outcome.error?.message}`,
        );
        assert.equal(run.items.length, 0, 'nothing published');
        assert.ok(run.ms < 6000, `${url} took ${run.ms} ms`);
      }
    } finally {
      await garbage.close();
    }
  });

  it('a server that never answers: a bad source after the open deadline', async () => {
    const silent = await silentServer();
    try {
      const run = await pull(`rtmp://127.0.0.1:${silent.port}/live/x`, { openTimeoutMs: 800 });
      assert.ok(run.outcome.error instanceof BadSourceError, run.outcome.error?.message);
      assert.match(run.outcome.error.message, /accepts connections but does not answer/);
      assert.ok(run.ms < 3000, `took ${run.ms} ms`);
    } finally {
      await silent.close();
    }
  });

  it('a picture larger than allowed: unsupported, nothing published', async () => {
    const run = await pull(web.url('clip.flv'), { maxWidth: 160 });
    assert.ok(run.outcome.error instanceof UnsupportedSourceError);
    assert.match(run.outcome.error.message, /320x240 exceeds the limit of 160x4320/);
    assert.equal(run.items.length, 0);
  });

  it('an abort ends a session waiting on a silent source at once', async () => {
    const silent = await silentServer();
    try {
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 300);
      const run = await pull(
        `http://127.0.0.1:${silent.port}/x.flv`,
        { openTimeoutMs: 30_000 },
        abort.signal,
      );
      assert.equal(run.outcome.end, 'aborted');
      assert.ok(run.ms < 1500, `took ${run.ms} ms`);
    } finally {
      await silent.close();
    }
  });
});
