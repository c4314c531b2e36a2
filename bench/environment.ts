/** The machine and the versions of everything measured, for the report. */
import '../src/util/polyfill.js';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { capture, which } from './util.js';

const ROOT = resolve(import.meta.dirname, '..');

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly ramGB: number;
  readonly kernel: string;
  readonly loadAverageAtStart: number[];
}

export function machine(): Machine {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    ramGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export type Versions = Record<string, string>;

/** How each version is named in the Markdown report. */
export const VERSION_LABELS: Record<string, string> = {
  node: 'Node.js',
  livesnap: 'livesnap',
  nginx: 'nginx',
  nginxRtmpModule: 'nginx-rtmp module',
  ffmpeg: 'ffmpeg',
  nodeAv: 'node-av',
  nodeAvFfmpeg: "node-av's FFmpeg",
};

async function firstLine(command: string | undefined, args: string[]): Promise<string> {
  if (!command) return 'not installed';
  const { code, out } = await capture(command, args);
  if (code === null) return 'not installed';
  return out.trim().split('\n')[0] ?? '';
}

export async function versions(): Promise<Versions> {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const rev = await capture('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = await capture('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']);
  const nodeAvPkg = JSON.parse(
    readFileSync(resolve(ROOT, 'node_modules/node-av/package.json'), 'utf8'),
  ) as { version: string };
  let nodeAvFfmpeg = 'unknown';
  try {
    const { getFFmpegInfo } = await import('node-av/lib');
    nodeAvFfmpeg = getFFmpegInfo().version;
  } catch {
    // reported as unknown
  }
  const rtmp = await capture('dpkg-query', ['-W', '-f=${Version}', 'libnginx-mod-rtmp']);
  return {
    node: process.version,
    livesnap:
      `${pkg.version}` +
      (rev.code === 0
        ? ` (${rev.out.trim()}${dirty.out.trim() ? ', uncommitted changes' : ''})`
        : ''),
    nginx: (await firstLine(which('nginx'), ['-v'])).replace(/^nginx version: nginx\//, ''),
    nginxRtmpModule: rtmp.code === 0 && rtmp.out.trim() ? rtmp.out.trim() : 'unknown',
    ffmpeg: (await firstLine(which('ffmpeg'), ['-version']))
      .replace(/^ffmpeg version /, '')
      .replace(/ Copyright.*$/, ''),
    nodeAv: nodeAvPkg.version,
    nodeAvFfmpeg,
  };
}
