/**
 * Self-test of the load generator (src/ingest/rtmp's publish client, pre-chunked replay)
 * against a real server: nginx with the RTMP module (skipped when not installed). ffmpeg,
 * when present, pulls the stream back across the clip's loop seam and must decode it, which
 * proves the chunks and timestamps are well formed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LoadGenerator } from './load.js';
import { ensureClip, liveClipSpec } from './media.js';
import { NginxFfmpeg, findNginxTools } from './systems/nginx-ffmpeg.js';
import { capture, sleep } from './util.js';

const tools = findNginxTools();
const nginx = new NginxFfmpeg('keyframe', tools);
const missing = await nginx.unavailable();

test(
  'publishes to nginx-rtmp and the stream plays back',
  { skip: missing, timeout: 120_000 },
  async () => {
    const clipPath = await ensureClip({ ...liveClipSpec('h264', '720p', true), seconds: 4 });
    const ingest = await nginx.start(5);
    const out = await mkdtemp(join(tmpdir(), 'bench-publisher-test-'));
    const generator = new LoadGenerator({
      clipPath,
      host: ingest.host,
      port: ingest.port,
      app: ingest.app,
      streams: ['a', 'b'],
      tcUrl: ingest.tcUrl,
      spreadMs: 1000,
      phases: 2,
    });
    try {
      const report = await generator.publishAll();
      assert.deepEqual(report.failed, []);
      assert.equal(report.published, 2);
      generator.play();
      const { ffmpeg } = await tools;
      if (ffmpeg) {
        // Pull 6 s (across the 4 s clip's loop seam): it must decode, with monotonic stamps.
        const pulled = await capture(ffmpeg, [
          '-hide_banner',
          '-loglevel',
          'warning',
          '-rw_timeout',
          '10000000',
          '-i',
          `rtmp://127.0.0.1:${ingest.port}/live/b`,
          '-t',
          '6',
          '-f',
          'framemd5',
          join(out, 'b.md5'),
        ]);
        assert.equal(pulled.code, 0, pulled.out);
        assert.doesNotMatch(pulled.out, /monoton/i);
        const frames = (await readFile(join(out, 'b.md5'), 'utf8'))
          .split('\n')
          .filter((l) => /^0,/.test(l)).length;
        assert.ok(frames >= 150, `decoded ${frames} video frames`);
      } else await sleep(6000); // both phases cross the loop seam of the 4 s clip
      const stats = generator.stats();
      assert.equal(stats.open, 2);
      assert.deepEqual(stats.closed, []);
      assert.equal(stats.phases, 2);
      assert.ok(stats.loops >= 1, `loops: ${stats.loops}`);
      assert.ok(stats.bytesWritten > 1_000_000);
      assert.ok(stats.lagMaxMs < 500, `lag ${stats.lagMaxMs} ms`);
    } finally {
      generator.close();
      await nginx.stop();
      await rm(out, { recursive: true, force: true });
    }
  },
);
