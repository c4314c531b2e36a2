/**
 * The recipes people use today: nginx with the RTMP module as ingest, plus one ffmpeg per
 * stream pulling it back and writing a JPEG every interval.
 *   nginx-full:     ffmpeg -i rtmp://…/live/sN -vf fps=1/5 …            (decodes every frame)
 *   nginx-keyframe: ffmpeg -skip_frame nokey -i rtmp://… -vf fps=1/5 …  (decodes keyframes only)
 *
 * Output: `-f image2 <dir>/%05d.jpg`, a new file per snapshot, so snapshots are counted as
 * files (exact) instead of watching one file's mtime (`-update 1 out.jpg`, which a poller can
 * miss). Both write one JPEG per snapshot, so the cost is the same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NotAvailable,
  type Histogram,
  type Ingest,
  type LiveSystem,
  type SystemId,
} from './system-types.js';
import {
  canConnect,
  capture,
  countJpegs,
  freePort,
  tail,
  terminate,
  waitFor,
  which,
} from '../util.js';

const MODULE_DIRS = ['/usr/share/nginx/modules', '/usr/lib/nginx/modules', '/etc/nginx/modules'];
const MODULE_FILE = 'ngx_rtmp_module.so';

export interface NginxTools {
  readonly nginx?: string;
  /** Absolute path of the dynamic module, or 'builtin' when nginx was built with it. */
  readonly rtmpModule?: string;
  readonly ffmpeg?: string;
  /** [major, minor] of the ffmpeg binary, when it could be read. */
  readonly ffmpegVersion?: [number, number];
}

/** Finds nginx, its RTMP module and ffmpeg. */
export async function findNginxTools(): Promise<NginxTools> {
  const nginx = which('nginx');
  const ffmpeg = which('ffmpeg');
  let rtmpModule: string | undefined;
  if (nginx) {
    rtmpModule = MODULE_DIRS.map((d) => join(d, MODULE_FILE)).find((p) => existsSync(p));
    if (!rtmpModule) {
      const { out } = await capture(nginx, ['-V']);
      if (/nginx-rtmp-module|rtmp_module/.test(out)) rtmpModule = 'builtin';
    }
  }
  let ffmpegVersion: [number, number] | undefined;
  if (ffmpeg) {
    const match = /ffmpeg version n?(\d+)\.(\d+)/.exec((await capture(ffmpeg, ['-version'])).out);
    if (match) ffmpegVersion = [Number(match[1]), Number(match[2])];
  }
  return { nginx, rtmpModule, ffmpeg, ffmpegVersion };
}

interface Reader {
  readonly stream: string;
  readonly child: ChildProcess;
  readonly stderr: () => string[];
}

export class NginxFfmpeg implements LiveSystem {
  readonly id: SystemId;
  readonly recipe: string;
  readonly #keyframesOnly: boolean;
  readonly #tools: Promise<NginxTools>;
  #dir = '';
  #port = 0;
  #nginx: ChildProcess | undefined;
  #nginxStderr: () => string[] = () => [];
  #readers: Reader[] = [];
  #interval = 5;
  #stopping = false;
  readonly #notes: string[] = [];

  readonly #codec: 'h264' | 'hevc';
  readonly #capture: boolean;

  /** `capture` false: nginx-rtmp alone, no ffmpeg readers (ingest only, `--no-capture`). */
  constructor(
    mode: 'full' | 'keyframe',
    tools: Promise<NginxTools>,
    codec: 'h264' | 'hevc' = 'h264',
    capture = true,
  ) {
    this.#codec = codec;
    this.#capture = capture;
    this.#keyframesOnly = mode === 'keyframe';
    this.id = mode === 'full' ? 'nginx-full' : 'nginx-keyframe';
    this.recipe = capture
      ? 'nginx-rtmp (1 worker) + per stream `ffmpeg ' +
        (this.#keyframesOnly ? '-skip_frame nokey ' : '') +
        '-i rtmp://…/live/sN -vf fps=1/5 <dir>/%05d.jpg`'
      : 'nginx-rtmp (1 worker) alone, no ffmpeg readers (ingest only)';
    this.#tools = tools;
  }

  /** The fps filter emits one frame per interval (duplicating frames when it must). */
  snapshotPeriod(interval: number): number {
    return interval;
  }

  async unavailable(): Promise<string | undefined> {
    const tools = await this.#tools;
    if (!tools.nginx) return 'nginx not found (Debian: apt-get install nginx libnginx-mod-rtmp)';
    if (!tools.rtmpModule) {
      return 'nginx RTMP module not found (Debian: apt-get install libnginx-mod-rtmp)';
    }
    if (!tools.ffmpeg) return 'ffmpeg not found (Debian: apt-get install ffmpeg)';
    const [major, minor] = tools.ffmpegVersion ?? [0, 0];
    if (this.#codec === 'hevc' && (major < 6 || (major === 6 && minor < 1))) {
      return `ffmpeg ${major}.${minor} cannot read HEVC over Enhanced RTMP (needs FFmpeg ≥ 6.1)`;
    }
    return undefined;
  }

  async start(interval: number): Promise<Ingest> {
    const tools = await this.#tools;
    if (!tools.nginx || !tools.rtmpModule)
      throw new NotAvailable('nginx or its RTMP module is missing');
    this.#interval = interval;
    this.#stopping = false;
    this.#readers = [];
    this.#notes.length = 0;
    this.#dir = await mkdtemp(join(tmpdir(), `livesnap-bench-${this.id}-`));
    this.#port = await freePort();
    const conf = join(this.#dir, 'nginx.conf');
    await writeFile(conf, this.#config(tools.rtmpModule));
    this.#nginx = spawn(tools.nginx, ['-p', this.#dir, '-c', conf, '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#nginxStderr = tail(this.#nginx.stderr);
    const nginx = this.#nginx;
    const up = await waitFor(
      () => canConnect(this.#port),
      10_000,
      () => nginx.exitCode !== null,
    );
    if (!up) {
      const log = await readFile(join(this.#dir, 'error.log'), 'utf8').catch(() => '');
      throw new NotAvailable(
        `nginx did not listen on ${this.#port}: ${[...this.#nginxStderr(), log.trim()].join(' | ')}`,
      );
    }
    return {
      host: '127.0.0.1',
      port: this.#port,
      app: 'live',
      tcUrl: `rtmp://127.0.0.1:${this.#port}/live`,
    };
  }

  #config(module: string): string {
    return [
      module === 'builtin' ? '' : `load_module ${module};`,
      // One worker: nginx-rtmp's live module does not share streams between workers
      // without rtmp_auto_push; one worker is the usual single-box setup.
      'worker_processes 1;',
      `pid ${join(this.#dir, 'nginx.pid')};`,
      `error_log ${join(this.#dir, 'error.log')} warn;`,
      'events { worker_connections 4096; }',
      'rtmp {',
      '  server {',
      `    listen 127.0.0.1:${this.#port};`,
      '    application live { live on; }',
      '  }',
      '}',
      '',
    ].join('\n');
  }

  async attach(streams: readonly string[]): Promise<void> {
    if (!this.#capture) return;
    const tools = await this.#tools;
    if (!tools.ffmpeg) throw new NotAvailable('ffmpeg is missing');
    for (const stream of streams) {
      const out = this.#outDir(stream);
      await mkdir(out, { recursive: true });
      const args = [
        '-hide_banner',
        '-nostats',
        '-loglevel',
        'error',
        ...(this.#keyframesOnly ? ['-skip_frame', 'nokey'] : []),
        '-i',
        `rtmp://127.0.0.1:${this.#port}/live/${stream}`,
        '-vf',
        `fps=1/${this.#interval}`,
        '-f',
        'image2',
        join(out, '%05d.jpg'),
      ];
      const child = spawn(tools.ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const reader = { stream, child, stderr: tail(child.stderr, 5) };
      child.on('exit', (code, signal) => {
        if (this.#stopping) return;
        const why = signal ?? `code ${code}`;
        this.#notes.push(
          `ffmpeg for ${stream} exited early (${why}): ${reader.stderr().join(' | ')}`,
        );
      });
      this.#readers.push(reader);
    }
  }

  #outDir(stream: string): string {
    return join(this.#dir, 'out', stream);
  }

  pids(): number[] {
    const pids = [this.#nginx?.pid, ...this.#readers.map((r) => r.child.pid)];
    return pids.filter((p): p is number => p !== undefined);
  }

  snapshots(stream: string): Promise<number> {
    return countJpegs(this.#outDir(stream));
  }

  async latency(): Promise<Histogram | undefined> {
    return undefined;
  }

  async counters(): Promise<Record<string, number>> {
    return {
      readersRunning: this.#readers.filter((r) => r.child.exitCode === null && !r.child.signalCode)
        .length,
    };
  }

  async verify(): Promise<Record<string, unknown>> {
    return {};
  }

  notes(): string[] {
    return [...this.#notes];
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#readers.map((r) => terminate(r.child, 'SIGTERM', 5000)));
    if (this.#nginx) await terminate(this.#nginx, 'SIGQUIT', 5000);
    this.#nginx = undefined;
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}
