/**
 * `npm run bench`: livesnap against the recipes people use today, in one run on one machine.
 * Progress goes to stderr; the Markdown report to stdout; every figure to
 * bench/results/<timestamp>.json. See docs/performance.md for the method.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { BENCH_USAGE, parseBenchArgs, type BenchArgs } from './args.js';
import { VERSION_LABELS, machine, versions } from './environment.js';
import { readClip } from './flv-clip.js';
import { runSweep, type LiveParams, type SweepOutcome } from './live.js';
import { ensureClip, ensureOfflineFile, frameSize, liveClipSpec } from './media.js';
import { runOffline, type OfflineResult } from './offline.js';
import { renderMarkdown, ratios, targetChecks } from './report.js';
import { Livesnap } from './systems/livesnap.js';
import { NginxFfmpeg, findNginxTools } from './systems/nginx-ffmpeg.js';
import type { LiveSystem } from './systems/system-types.js';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench/results');

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function buildSystems(args: BenchArgs, stamp: string): LiveSystem[] {
  const tools = findNginxTools();
  return args.systems.map((id) => {
    switch (id) {
      case 'livesnap':
        return new Livesnap({
          profileDir: args.profile ? join(RESULTS, 'profiles', stamp) : undefined,
          nodeOptions: args.livesnapNodeOptions,
          capture: !args.noCapture,
        });
      case 'nginx-full':
        return new NginxFfmpeg('full', tools, args.codec, !args.noCapture);
      case 'nginx-keyframe':
        return new NginxFfmpeg('keyframe', tools, args.codec, !args.noCapture);
    }
  });
}

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const host = machine();
  const versionInfo = await versions();
  log(`livesnap bench${args.quick ? ' (quick)' : ''}: ${host.cores} cores, ${host.cpuModel}`);

  // Media (generated once, cached under .cache/bench/).
  const clipSpec = liveClipSpec(args.codec, args.res, args.audio);
  const clipPath = await ensureClip(clipSpec, log);
  const clip = readClip(readFileSync(clipPath));
  const clipSeconds = clip.durationMs / 1000;
  const media = {
    path: relative(ROOT, clipPath),
    spec: clipSpec,
    size: frameSize(args.res),
    measuredVideoKbps: Math.round((clip.videoBytes * 8) / clipSeconds / 1000),
    measuredAudioKbps: Math.round((clip.audioBytes * 8) / clipSeconds / 1000),
    keyframeIntervalS: Math.round((clipSeconds / clip.keyframes) * 100) / 100,
    loopSeconds: clipSeconds,
  };

  const systems = args.live ? buildSystems(args, stamp) : [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(systems.map((s) => s.stop().catch(() => undefined)));
  };
  process.once('SIGINT', () => {
    log('interrupted: stopping servers');
    void stopAll().finally(() => process.exit(130));
  });

  const liveParams: LiveParams = {
    clipPath,
    interval: args.interval,
    gopS: media.keyframeIntervalS,
    spreadMs: args.inStep ? 0 : args.interval * 1000,
    durationS: args.durationS,
    warmupMaxS: 30,
    idleS: args.quick ? 1 : 3,
    settleS: args.quick ? 1 : 3,
    chunkSize: args.chunkSize,
    capture: !args.noCapture,
  };
  let live: SweepOutcome | undefined;
  if (args.live && systems.length > 0) {
    live = await runSweep(systems, args.streams, liveParams, log);
  }

  let offline: OfflineResult[] | undefined;
  let offlineFile: string | undefined;
  const tools = await findNginxTools();
  if (args.offline) {
    offlineFile = await ensureOfflineFile(args.offlineSeconds, log);
    offline = await runOffline(
      {
        ffmpeg: tools.ffmpeg,
        file: offlineFile,
        fileSeconds: args.offlineSeconds,
        count: args.offlineCount,
        tile: args.offlineTile,
        tileSize: [192, 108],
      },
      log,
    );
  }

  const finishedAt = new Date();
  const codecName = args.codec === 'h264' ? 'H.264' : 'HEVC (Enhanced RTMP)';
  const [w, h] = media.size;
  const parameters =
    `N × ${w}x${h}@${clipSpec.fps} ${codecName} ${media.measuredVideoKbps} kbit/s ` +
    `(target ${clipSpec.kbps}), ${clipSpec.gopSeconds} s GOP, ` +
    (args.audio ? `AAC ${media.measuredAudioKbps} kbit/s, ` : 'no audio, ') +
    `${clipSeconds} s clip looped, RTMP chunks of ${args.chunkSize} bytes; ` +
    (args.noCapture
      ? 'NO CAPTURE (ingest only: no rule, no ffmpeg readers); '
      : `one rule every ${args.interval} s; `) +
    (args.inStep
      ? 'all streams start in step; '
      : `stream starts spread evenly over ${args.interval} s (one offset per stream); `) +
    `streams ${args.streams.join(', ')}; ${args.durationS} s measured window per step after warm-up`;
  const offlineParameters = args.offline
    ? `${args.offlineCount} snapshots + a ${args.offlineTile.join('×')} sprite from a ` +
      `${args.offlineSeconds / 60}-minute 1080p H.264 MP4 (4 Mbit/s, 2 s GOP)` +
      (args.quick ? ' — quick run: shorter file, not the reference scenario' : '')
    : 'skipped';
  const markdown = renderMarkdown({
    title: `livesnap benchmark — ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${args.quick ? ' (quick)' : ''}`,
    machine:
      `${host.cpuModel}, ${host.cores} cores, ${host.ramGB} GB RAM, Linux ${host.kernel}, ` +
      `load average at start ${host.loadAverageAtStart.join(' ')}`,
    versions: Object.entries(versionInfo)
      .map(([k, v]) => `${VERSION_LABELS[k] ?? k} ${v}`)
      .join(' · '),
    parameters,
    recipes: Object.fromEntries(systems.map((s) => [s.id, s.recipe])),
    live,
    capture: !args.noCapture,
    offline,
    offlineParameters,
  });
  process.stdout.write(`${markdown}\n`);

  await mkdir(RESULTS, { recursive: true });
  const file = join(RESULTS, `${stamp}.json`);
  const json = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: host,
    versions: versionInfo,
    parameters: {
      quick: args.quick,
      live: args.live,
      streams: args.streams,
      durationS: args.durationS,
      interval: args.interval,
      codec: args.codec,
      res: args.res,
      audio: args.audio,
      inStep: args.inStep,
      spreadMs: liveParams.spreadMs,
      systems: args.systems,
      chunkSize: args.chunkSize,
      capture: !args.noCapture,
      livesnapNodeOptions: args.livesnapNodeOptions,
      warmupMaxS: liveParams.warmupMaxS,
      idleS: liveParams.idleS,
      settleS: liveParams.settleS,
      offline: args.offline
        ? {
            file: offlineFile && relative(ROOT, offlineFile),
            seconds: args.offlineSeconds,
            count: args.offlineCount,
            tile: args.offlineTile,
          }
        : false,
    },
    media,
    recipes: Object.fromEntries(systems.map((s) => [s.id, s.recipe])),
    live,
    ratios: live ? ratios(live.steps) : [],
    offline,
    targets: targetChecks(live, offline, !args.noCapture),
  };
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  log(
    `results: ${relative(ROOT, file)} (${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s)`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
