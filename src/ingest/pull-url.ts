import '../util/polyfill.js';
import { getFFmpegInfo } from 'node-av/lib';

/**
 * Source URLs of pulled streams: which are accepted, what they mean, and the FFmpeg options
 * each one is opened with (timeouts, protocol and format whitelists). Pure apart from asking
 * the FFmpeg build whether it has SRT.
 */

/** StreamInput.Type values and the URL schemes each one accepts. */
export const PULL_INPUT_TYPES = {
  rtmp: ['rtmp:', 'rtmps:'],
  rtmps: ['rtmps:'],
  rtsp: ['rtsp:', 'rtsps:'],
  rtsps: ['rtsps:'],
  srt: ['srt:'],
  hls: ['http:', 'https:'],
  flv: ['http:', 'https:'],
  'http-flv': ['http:', 'https:'],
  http: ['http:', 'https:'],
  https: ['https:'],
} as const satisfies Record<string, readonly string[]>;
export type PullInputType = keyof typeof PULL_INPUT_TYPES;

/** The protocol family a URL is pulled with. */
export type PullProtocol = 'rtmp' | 'rtsp' | 'srt' | 'http';

export interface PullSource {
  /** The URL exactly as given (FFmpeg opens it). */
  readonly url: string;
  readonly protocol: PullProtocol;
  /** Lower-case scheme without ':' (rtmp, rtmps, rtsp, rtsps, srt, http, https). */
  readonly scheme: string;
  readonly host: string;
  /** The port, or the scheme's default. */
  readonly port: number;
  /** The URL without user info, for logs and status. */
  readonly redacted: string;
}

const SCHEMES: Readonly<Record<string, { protocol: PullProtocol; port: number }>> = {
  rtmp: { protocol: 'rtmp', port: 1935 },
  rtmps: { protocol: 'rtmp', port: 443 },
  rtsp: { protocol: 'rtsp', port: 554 },
  rtsps: { protocol: 'rtsp', port: 322 },
  srt: { protocol: 'srt', port: 0 },
  http: { protocol: 'http', port: 80 },
  https: { protocol: 'http', port: 443 },
};

/** Whether this FFmpeg build can pull `srt://` (libsrt). */
export function srtSupported(): boolean {
  try {
    return getFFmpegInfo().configuration.includes('--enable-libsrt');
  } catch {
    return false;
  }
}

/** Why a URL cannot be pulled, or undefined when it can. */
export function pullUrlProblem(url: string, type?: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  if (!(scheme in SCHEMES)) {
    return `the scheme "${scheme}" is not supported (rtmp, rtmps, rtsp, rtsps, srt, http, https)`;
  }
  if (scheme === 'srt' && !srtSupported()) return 'this FFmpeg build cannot pull srt:// URLs';
  if (parsed.hostname === '') return 'the URL has no host';
  if (scheme === 'srt' && parsed.port === '') return 'an srt:// URL needs a port';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(url)) return 'the URL contains spaces or control characters';
  if (type !== undefined) {
    const schemes = (PULL_INPUT_TYPES as Record<string, readonly string[]>)[type];
    if (!schemes) {
      return `the type "${type}" is not supported (${Object.keys(PULL_INPUT_TYPES).join(', ')})`;
    }
    if (!schemes.includes(parsed.protocol.toLowerCase())) {
      return `a ${type} input needs a ${schemes.map((s) => `${s}//`).join(' or ')} URL`;
    }
  }
  return undefined;
}

/** Parses a URL that passed pullUrlProblem(). */
export function parsePullSource(url: string): PullSource {
  const parsed = new URL(url);
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  const known = SCHEMES[scheme];
  if (!known) throw new Error(`unsupported scheme ${scheme}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const redacted = new URL(url);
  redacted.username = '';
  redacted.password = '';
  return {
    url,
    protocol: known.protocol,
    scheme,
    host,
    port: parsed.port === '' ? known.port : Number(parsed.port),
    redacted: redacted.href,
  };
}

export interface PullTimeouts {
  /** No data for this long fails a read (FFmpeg rw_timeout / RTSP timeout). */
  readonly readTimeoutMs: number;
}

/** Protocols FFmpeg may open for each family (nested ones: HLS segments, RTSP's RTP). */
const PROTOCOL_WHITELIST: Readonly<Record<PullProtocol, string>> = {
  rtmp: 'rtmp,rtmps,tcp,tls',
  rtsp: 'rtsp,rtsps,rtp,srtp,udp,tcp,tls',
  srt: 'srt',
  http: 'http,https,tcp,tls,crypto,httpproxy',
};

/** Demuxers FFmpeg may pick for each family (HLS segments are MPEG-TS or fragmented MP4). */
const FORMAT_WHITELIST: Readonly<Record<PullProtocol, string>> = {
  rtmp: 'flv,live_flv',
  rtsp: 'rtsp',
  srt: 'mpegts,flv',
  http: 'flv,live_flv,hls,mpegts,mov,mp4',
};

/** Probe at most this many bytes to detect the container (FFmpeg's default is 5 MB). */
const PROBE_BYTES = 1024 * 1024;

/** The AVFormatContext / protocol options a source is opened with. */
export function ffmpegOptions(source: PullSource, t: PullTimeouts): Record<string, string> {
  const micros = String(t.readTimeoutMs * 1000);
  const options: Record<string, string> = {
    rw_timeout: micros,
    protocol_whitelist: PROTOCOL_WHITELIST[source.protocol],
    format_whitelist: FORMAT_WHITELIST[source.protocol],
    probesize: String(PROBE_BYTES),
  };
  // (RTMP's `timeout` option would turn the client into a listening server: not set.)
  if (source.protocol === 'rtsp') {
    options.rtsp_transport = 'tcp';
    options.timeout = micros;
  }
  if (source.protocol === 'http') {
    options.reconnect = '0'; // the job reconnects, with its own backoff
  }
  return options;
}
