/**
 * Push helpers for integration tests: stream to an RTMP URL with three real clients.
 *
 * - `pushWithNodeAv`: FFmpeg 8's RTMP client and FLV muxer, in-process via node-av. H.264
 *   goes out as legacy FLV (codec id 7); HEVC and AV1 as Enhanced RTMP (`hvc1`, `av01`).
 * - `pushWithFfmpegCli`: the system `ffmpeg` (Debian's 5.1: H.264 only over FLV).
 * - `pushWithGstreamer`: `gst-launch-1.0` with x264enc, flvmux and rtmp2sink.
 *
 * Each returns a PushHandle: `done` settles when the push ends (rejecting with the tool's
 * error output on failure); `stop()` ends it early and resolves once it has ended.
 */
import '../../src/util/polyfill.js';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Demuxer } from 'node-av/api';
import { AV_NOPTS_VALUE } from 'node-av/constants';
import { FFmpegError, FormatContext, type Stream } from 'node-av/lib';

export interface PushHandle {
  /** Resolves when the push finished or was stopped; rejects when it failed. */
  readonly done: Promise<void>;
  /** End the push (gracefully where the tool allows); resolves when it has ended. */
  stop(): Promise<void>;
}

export interface PushOptions {
  /** Pace packets by their timestamps (like `ffmpeg -re`); default true. */
  readonly realtime?: boolean;
}

/**
 * Stream-copy a file's video to `url` (rtmp://…) with FFmpeg 8's FLV muxer and RTMP client.
 *
 * Uses node-av's low-level FormatContext rather than its Muxer: node-av 6.1's
 * `Muxer.close()` never closes the output AVIOContext, so an RTMP publish would never
 * send FCUnpublish/deleteStream nor close its socket.
 */
export function pushWithNodeAv(file: string, url: string, options: PushOptions = {}): PushHandle {
  const abort = new AbortController();
  let output: FormatContext | null = null;
  const run = async (): Promise<void> => {
    await using input = await Demuxer.open(file);
    const stream = input.video();
    if (!stream) throw new Error(`${file}: no video stream`);
    output = new FormatContext();
    try {
      await publish(input, stream, output, url, options, abort.signal);
    } finally {
      output.freeContext();
      output = null;
    }
  };
  const done = run().catch((err: unknown) => {
    if (abort.signal.aborted) return; // stopped: an interrupted write is expected
    throw new Error(`node-av push to ${url} failed: ${String(err)}`, { cause: err });
  });
  return {
    done,
    stop: async () => {
      abort.abort();
      output?.interrupt(); // unblock a connect or write that is waiting on the network
      await done.catch(() => {});
    },
  };
}

async function publish(
  input: Demuxer,
  stream: Stream,
  output: FormatContext,
  url: string,
  options: PushOptions,
  signal: AbortSignal,
): Promise<void> {
  FFmpegError.throwIfError(output.allocOutputContext2(null, 'flv', url), 'allocate FLV output');
  const out = output.newStream(null);
  FFmpegError.throwIfError(stream.codecpar.copy(out.codecpar), 'copy codec parameters');
  out.codecpar.codecTag = 0;
  out.timeBase = stream.timeBase;
  FFmpegError.throwIfError(await output.openOutput(), `connect to ${url}`);
  try {
    FFmpegError.throwIfError(await output.writeHeader(), 'write FLV header');
    const start = performance.now();
    let first: bigint | null = null;
    for await (const packet of input.packets(stream.index)) {
      if (!packet) break;
      try {
        if (options.realtime !== false && packet.dts !== AV_NOPTS_VALUE) {
          first ??= packet.dts;
          const dueMs =
            (Number(packet.dts - first) * 1000 * stream.timeBase.num) / stream.timeBase.den;
          const wait = start + dueMs - performance.now();
          if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {});
        }
        if (signal.aborted) break;
        packet.streamIndex = out.index;
        packet.rescaleTs(stream.timeBase, out.timeBase);
        packet.pos = -1n;
        FFmpegError.throwIfError(await output.interleavedWriteFrame(packet), 'write packet');
      } finally {
        packet.free();
      }
    }
    if (!signal.aborted) FFmpegError.throwIfError(await output.writeTrailer(), 'write trailer');
  } finally {
    await output.closeOutput(); // avio_closep: FCUnpublish, deleteStream, socket closed
  }
}

/** `ffmpeg [-re] -i file -c copy -f flv url` with the system ffmpeg (5.1, H.264 only). */
export function pushWithFfmpegCli(
  file: string,
  url: string,
  options: PushOptions = {},
): PushHandle {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  if (options.realtime !== false) args.push('-re');
  args.push('-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'flv', url);
  return spawnTool('/usr/bin/ffmpeg', args);
}

export interface GstreamerOptions extends PushOptions {
  /** Number of frames to send; default 10 s worth. */
  readonly frames?: number;
  readonly width?: number;
  readonly height?: number;
  /** Integer frames per second; default 25. */
  readonly fps?: number;
  /** Keyframe interval in frames; default `fps`. */
  readonly gop?: number;
  /**
   * videotestsrc pattern; default 'smpte' (colour bars). 'red', 'green', 'blue', 'white'
   * and 'black' give a solid frame of that colour.
   */
  readonly pattern?: string;
}

/** `gst-launch-1.0 -e videotestsrc ! x264enc ! flvmux streamable=true ! rtmp2sink`. */
export function pushWithGstreamer(url: string, options: GstreamerOptions = {}): PushHandle {
  const fps = options.fps ?? 25;
  const frames = options.frames ?? fps * 10;
  const gop = options.gop ?? fps;
  const caps = `video/x-raw,width=${options.width ?? 640},height=${options.height ?? 360},framerate=${fps}/1`;
  const pipeline = [
    ...['videotestsrc', `num-buffers=${frames}`, `pattern=${options.pattern ?? 'smpte'}`],
    `is-live=${options.realtime !== false}`,
    ...['!', caps, '!', 'videoconvert', '!', 'video/x-raw,format=I420', '!'],
    ...['x264enc', `key-int-max=${gop}`, 'bframes=0', 'speed-preset=ultrafast', 'tune=zerolatency'],
    'option-string=scenecut=0',
    ...['!', 'h264parse', '!', 'flvmux', 'streamable=true', '!', 'rtmp2sink', `location=${url}`],
  ];
  return spawnTool('/usr/bin/gst-launch-1.0', ['-q', '-e', ...pipeline]);
}

/** Grace period for SIGINT (ffmpeg writes its trailer, gst-launch -e sends EOS). */
const STOP_GRACE_MS = 5000;
const STDERR_LIMIT = 16 * 1024;

function spawnTool(command: string, args: string[]): PushHandle {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-STDERR_LIMIT);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let stopping = false;
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`${command}: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => {
      if (code === 0 || stopping) resolve();
      else {
        const how = code === null ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`${command} ended with ${how}:\n${output.trim()}`));
      }
    });
  });
  return {
    done,
    stop: async () => {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await done.catch(() => {});
        clearTimeout(timer);
      }
      await done.catch(() => {});
    },
  };
}
