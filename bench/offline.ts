/**
 * The offline scenario: 100 snapshots and a 10×10 sprite from one 1080p H.264 file.
 * Baselines are ffmpeg in one pass (fps → split → singles + scale/tile sprite), decoding
 * every frame, or only keyframes (`-skip_frame nokey`). Wall time, and CPU from the child's
 * rusage (the cutime/cstime of a shell that waited for it).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runOfflineScenario } from '../src/jobs/offline-snapshots.js';
import { CLK_TCK } from './proc.js';

export interface OfflineParams {
  readonly ffmpeg: string | undefined;
  readonly file: string;
  readonly fileSeconds: number;
  readonly count: number;
  readonly tile: [number, number];
  readonly tileSize: [number, number];
}

export interface OfflineResult {
  readonly system: string;
  readonly status: 'measured' | 'skipped' | 'not implemented' | 'failed';
  readonly reason?: string;
  readonly command?: string;
  readonly wallS?: number;
  readonly cpuS?: number;
  readonly singles?: number;
  readonly sprite?: boolean;
}

interface Measured {
  readonly code: number | null;
  readonly wallS: number;
  readonly cpuS: number | undefined;
  readonly stderr: string;
}

/**
 * Runs a command under `sh`, which waits for it and then prints its own /proc stat: the
 * cutime + cstime fields are then exactly the command's CPU (it is the only reaped child).
 */
export function runMeasured(command: string, args: readonly string[]): Promise<Measured> {
  const script = '"$0" "$@"; rc=$?; cat /proc/$$/stat >&3; exit $rc';
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('/bin/sh', ['-c', script, command, ...args], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let statText = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    (child.stdio[3] as NodeJS.ReadableStream | null)?.on(
      'data',
      (d: Buffer) => (statText += d.toString()),
    );
    child.on('close', (code) => {
      const wallS = (performance.now() - started) / 1000;
      const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
      // cutime = field 16, cstime = field 17; fields[0] is field 3.
      const cpu = (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
      resolve({ code, wallS, cpuS: Number.isFinite(cpu) ? cpu : undefined, stderr });
    });
  });
}

function ffmpegArgs(p: OfflineParams, keyframesOnly: boolean, out: string): string[] {
  const [cols, rows] = p.tile;
  const [w, h] = p.tileSize;
  const graph =
    `[0:v]fps=${p.count}/${p.fileSeconds},split=2[singles][t];` +
    `[t]scale=${w}:${h},tile=${cols}x${rows}[sprite]`;
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'error',
    ...(keyframesOnly ? ['-skip_frame', 'nokey'] : []),
    '-i',
    p.file,
    '-filter_complex',
    graph,
    '-map',
    '[singles]',
    '-frames:v',
    String(p.count),
    '-f',
    'image2',
    join(out, 'single-%03d.jpg'),
    '-map',
    '[sprite]',
    '-frames:v',
    '1',
    '-update',
    '1',
    join(out, 'sprite.jpg'),
  ];
}

async function runBaseline(p: OfflineParams, keyframesOnly: boolean): Promise<OfflineResult> {
  const system = keyframesOnly ? 'ffmpeg-keyframe' : 'ffmpeg-full';
  if (!p.ffmpeg) return { system, status: 'skipped', reason: 'ffmpeg not found' };
  const out = await mkdtemp(join(tmpdir(), `livesnap-bench-${system}-`));
  try {
    const args = ffmpegArgs(p, keyframesOnly, out);
    const result = await runMeasured(p.ffmpeg, args);
    const files = await readdir(out);
    const singles = files.filter((f) => f.startsWith('single-')).length;
    const sprite = files.includes('sprite.jpg') && (await stat(join(out, 'sprite.jpg'))).size > 0;
    const command = `ffmpeg ${args.map((a) => (/[\s;[\]]/.test(a) ? `'${a}'` : a)).join(' ')}`
      .replaceAll(p.file, '<file>')
      .replaceAll(out, '<out>');
    if (result.code !== 0) {
      return { system, status: 'failed', reason: result.stderr.trim().split('\n').at(-1), command };
    }
    return {
      system,
      status: 'measured',
      command,
      wallS: round(result.wallS),
      cpuS: result.cpuS === undefined ? undefined : round(result.cpuS),
      singles,
      sprite,
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

export async function runOffline(
  p: OfflineParams,
  log: (line: string) => void,
): Promise<OfflineResult[]> {
  const results: OfflineResult[] = [await runLivesnap(p)];
  const own = results[0]!;
  log(
    `offline: livesnap — ` +
      (own.status === 'measured'
        ? `${own.wallS} s wall, ${own.cpuS} CPU-s, ${own.singles} singles, sprite ${own.sprite ? 'ok' : 'missing'}`
        : `${own.status}: ${own.reason}`),
  );
  for (const keyframesOnly of [false, true]) {
    const r = await runBaseline(p, keyframesOnly);
    log(
      `offline: ${r.system} — ` +
        (r.status === 'measured'
          ? `${r.wallS} s wall, ${r.cpuS} CPU-s, ${r.singles} singles, sprite ${r.sprite ? 'ok' : 'missing'}`
          : `${r.status}: ${r.reason}`),
    );
    results.push(r);
  }
  return results;
}

/**
 * livesnap's snapshot-job extraction (the code SubmitSnapshotJob runs), in this process:
 * keyframe mode seeks to the keyframe nearest each time and decodes only those. CPU is this
 * process's (all threads) over the run.
 */
async function runLivesnap(p: OfflineParams): Promise<OfflineResult> {
  const out = await mkdtemp(join(tmpdir(), 'livesnap-bench-livesnap-'));
  try {
    const r = await runOfflineScenario({
      file: p.file,
      count: p.count,
      tile: p.tile,
      tileSize: p.tileSize,
      outDir: out,
    });
    return {
      system: 'livesnap',
      status: 'measured',
      command: 'runOfflineScenario (src/jobs/offline-snapshots.ts), keyframe mode',
      wallS: round(r.wallS),
      cpuS: round(r.cpuS),
      singles: r.singles,
      sprite: r.sheets > 0,
    };
  } catch (err) {
    return { system: 'livesnap', status: 'failed', reason: (err as Error).message };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
