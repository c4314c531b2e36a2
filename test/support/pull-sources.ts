/**
 * Sources for pull tests (live snapshot jobs): media a test serves itself.
 *
 * - `remux(clip, out, format)`: stream-copy a clip's video with node-av into another container
 *   (e.g. `hls` → playlist + MPEG-TS segments, Annex-B H.264 / HEVC).
 * - `serveDir(dir)`: a node:http server for a directory (HLS, HTTP-FLV), which can be told to
 *   answer 404 (a source that is not live yet) or to cut connections.
 * - `garbageServer()` / `silentServer()`: TCP servers that spew random bytes / never answer.
 * - `ffmpegRtmpServer(clip, port)`: `ffmpeg -f flv -listen 1 rtmp://…` (FFmpeg's RTMP server
 *   mode: it serves one player, then exits).
 * - `freePort()`.
 */
import '../../src/util/polyfill.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { Demuxer } from 'node-av/api';
import { Dictionary, FFmpegError, FormatContext } from 'node-av/lib';

/** Stream-copy the video of `clip` into `output` with FFmpeg's `format` muxer. */
export async function remux(
  clip: string,
  output: string,
  format: string,
  options: Record<string, string> = {},
): Promise<void> {
  await mkdir(dirname(output), { recursive: true });
  await using input = await Demuxer.open(clip);
  const stream = input.video();
  if (!stream) throw new Error(`${clip}: no video stream`);
  const ctx = new FormatContext();
  try {
    FFmpegError.throwIfError(ctx.allocOutputContext2(null, format, output), 'allocate output');
    const out = ctx.newStream(null);
    FFmpegError.throwIfError(stream.codecpar.copy(out.codecpar), 'copy codec parameters');
    out.codecpar.codecTag = 0;
    out.timeBase = stream.timeBase;
    FFmpegError.throwIfError(await ctx.openOutput(), `open ${output}`);
    try {
      const opts = Object.keys(options).length > 0 ? Dictionary.fromObject(options) : null;
      FFmpegError.throwIfError(await ctx.writeHeader(opts), 'write header');
      for await (const packet of input.packets(stream.index)) {
        if (!packet) break;
        try {
          packet.streamIndex = out.index;
          packet.rescaleTs(stream.timeBase, out.timeBase);
          packet.pos = -1n;
          FFmpegError.throwIfError(await ctx.interleavedWriteFrame(packet), 'write packet');
        } finally {
          packet.free();
        }
      }
      FFmpegError.throwIfError(await ctx.writeTrailer(), 'write trailer');
    } finally {
      await ctx.closeOutput();
    }
  } finally {
    ctx.freeContext();
  }
}

/** Write `clip` as a VOD HLS playlist `index.m3u8` with ~1 s MPEG-TS segments in `dir`. */
export async function writeHls(clip: string, dir: string): Promise<string> {
  const playlist = join(dir, 'index.m3u8');
  await remux(clip, playlist, 'hls', { hls_time: '1', hls_playlist_type: 'vod' });
  return playlist;
}

export interface DirServer {
  port: number;
  url(path: string): string;
  /** `live`: serve files; `offline`: 404 for everything; `reset`: destroy each connection. */
  mode: 'live' | 'offline' | 'reset';
  /** Requests served so far. */
  requests: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  flv: 'video/x-flv',
};

/** Serves the files of `dir` on 127.0.0.1 (no directory listing, no escaping `dir`). */
export async function serveDir(dir: string): Promise<DirServer> {
  const root = normalize(dir);
  const sockets = new Set<Socket>();
  const state: DirServer = {
    port: 0,
    url: (path) => `http://127.0.0.1:${state.port}/${path.replace(/^\//, '')}`,
    mode: 'live',
    requests: 0,
    close: () => closeServer(server, sockets),
  };
  const server: HttpServer = createHttpServer((req, res) => {
    state.requests++;
    if (state.mode === 'reset') return req.socket.destroy();
    const path = normalize(join(root, decodeURIComponent((req.url ?? '/').split('?')[0]!)));
    if (state.mode === 'offline' || !path.startsWith(root)) return void res.writeHead(404).end();
    readFile(path).then(
      (body) => {
        const ext = path.split('.').pop() ?? '';
        res.writeHead(200, { 'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  server.on('connection', (s) => track(sockets, s));
  state.port = await listen(server);
  return state;
}

export interface TcpServer {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** A TCP server that sends 64 KB of random bytes to each connection every 5 ms. */
export function garbageServer(): Promise<TcpServer> {
  return tcpServer((socket) => {
    const timer = setInterval(() => {
      if (socket.writableLength < 1024 * 1024) socket.write(randomBytes(64 * 1024));
    }, 5);
    socket.on('close', () => clearInterval(timer));
  });
}

/** A TCP server that accepts connections and never sends a byte. */
export function silentServer(): Promise<TcpServer> {
  return tcpServer(() => {});
}

async function tcpServer(onConnection: (socket: Socket) => void): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  const state: TcpServer = {
    port: 0,
    connections: 0,
    close: () => closeServer(server, sockets),
  };
  const server: Server = createServer((socket) => {
    state.connections++;
    track(sockets, socket);
    socket.on('data', () => {});
    onConnection(socket);
  });
  state.port = await listen(server);
  return state;
}

export interface ToolHandle {
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * `ffmpeg [-re] -i clip -c copy -f flv -listen 1 rtmp://127.0.0.1:port/app/stream`: serves
 * the clip to the first RTMP client that plays it, then exits. Needs /usr/bin/ffmpeg.
 */
export function ffmpegRtmpServer(
  clip: string,
  port: number,
  options: { realtime?: boolean; path?: string } = {},
): ToolHandle {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  if (options.realtime) args.push('-re');
  args.push('-i', clip, '-map', '0:v:0', '-c', 'copy', '-f', 'flv', '-listen', '1');
  args.push(`rtmp://127.0.0.1:${port}/${options.path ?? 'live/source'}`);
  return spawnTool(args);
}

/**
 * `ffmpeg -re -i clip -c copy -f mpegts srt://127.0.0.1:port?mode=listener`: an SRT listener
 * that sends the clip in real time to the caller. Needs /usr/bin/ffmpeg with libsrt.
 */
export function ffmpegSrtServer(clip: string, port: number): ToolHandle {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-i', clip];
  args.push('-map', '0:v:0', '-c', 'copy', '-f', 'mpegts', `srt://127.0.0.1:${port}?mode=listener`);
  return spawnTool(args);
}

function spawnTool(args: string[]): ToolHandle {
  const child = spawn('/usr/bin/ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 || child.killed ? resolve() : reject(new Error(`ffmpeg: ${code} ${stderr}`)),
    );
  });
  return {
    done,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await done.catch(() => {});
    },
  };
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Resolves once something listens on TCP port `port`, without connecting (FFmpeg's listen
 * mode serves the first connection only): reads the kernel's socket table on Linux, else
 * waits a second.
 */
export async function waitForListener(
  port: number,
  ms = 10_000,
  transport: 'tcp' | 'udp' = 'tcp',
): Promise<void> {
  const deadline = Date.now() + ms;
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  // A listening TCP socket, or any bound UDP socket.
  const STATE = transport === 'tcp' ? '0A' : '07';
  for (;;) {
    let tables: string[];
    try {
      tables = await Promise.all(
        [`/proc/net/${transport}`, `/proc/net/${transport}6`].map((f) =>
          readFile(f, 'utf8').catch(() => ''),
        ),
      );
    } catch {
      tables = [];
    }
    if (tables.every((t) => t === '')) {
      await new Promise((r) => setTimeout(r, 1000));
      return;
    }
    const listening = tables.some((t) =>
      t.split('\n').some((line) => {
        const cols = line.trim().split(/\s+/);
        return cols[1]?.endsWith(`:${hex}`) && cols[3] === STATE;
      }),
    );
    if (listening) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function track(sockets: Set<Socket>, socket: Socket): void {
  sockets.add(socket);
  socket.on('error', () => {});
  socket.on('close', () => sockets.delete(socket));
}

function listen(server: Server | HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server | HttpServer, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
