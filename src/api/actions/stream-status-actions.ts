import { ApiVersion, type ActionRegistry } from '../action-registry.js';
import type { ParamReader } from '../param-reader.js';
import { formatRpcTime } from '../rpc-time.js';

/**
 * One live stream as the status action reports it. The composition root adapts the stream
 * hub (publish info, codec, counters) and the capture engine (CaptureStatus) into this.
 */
export interface StreamStatus {
  readonly domain: string;
  readonly app: string;
  readonly stream: string;
  /** When the publish started, ms since the epoch. */
  readonly publishTime: number;
  /** The publisher's address: `ip`, `ip:port` or `[ipv6]:port`; undefined when unknown. */
  readonly remote: string | undefined;
  /** Ingest protocol: "rtmp", "rtmps", "pull"… */
  readonly protocol: string;
  /** URL the stream is published (or pulled) from; default `<protocol>://<domain>/<app>/<stream>`. */
  readonly publishUrl?: string;
  /** Video codec, e.g. "h264", "hevc"; empty when no sequence header yet. */
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  /** Measured keyframe interval, ms; 0 when not known yet. */
  readonly keyframeIntervalMs: number;
  /** Video access units and their bytes received since the publish started. */
  readonly frames: number;
  readonly bytes: number;
  readonly snapshotsTaken: number;
  readonly snapshotsSkipped: number;
  readonly snapshotsFailed: number;
  readonly lastSnapshotAt: number | undefined;
  /** The keyframe interval is longer than the rule's TimeInterval. */
  readonly keyframeIntervalTooLong: boolean;
  readonly lastError: string | undefined;
}

export interface StreamStatusDeps {
  /** The streams live now. */
  streams: () => readonly StreamStatus[];
}

const PAGE_SIZE = { min: 1, max: 3000, default: 2000 };
const ORDER_BY = [
  'publish_time_desc',
  'publish_time_asc',
  'frame_rate_desc',
  'frame_rate_asc',
  'bps_desc',
  'bps_asc',
] as const;
type OrderBy = (typeof ORDER_BY)[number];

const CODEC_NAMES: Readonly<Record<string, string>> = { h264: 'H264', hevc: 'H265', av1: 'AV1' };

/** `1.2.3.4:5678` → `1.2.3.4`, `[::1]:5678` → `::1`; a bare address stays as it is. */
export function clientIp(remote: string | undefined): string {
  if (!remote) return '';
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(remote);
  if (v6) return v6[1]!;
  const v4 = /^([^:]+):\d+$/.exec(remote);
  return v4 ? v4[1]! : remote;
}

interface Rates {
  frameRate: number | undefined;
  bps: number | undefined;
}

/** Averages since the publish started (undefined during its first second). */
function rates(s: StreamStatus, now: number): Rates {
  const seconds = (now - s.publishTime) / 1000;
  if (!(seconds >= 1)) return { frameRate: undefined, bps: undefined };
  return { frameRate: Math.round(s.frames / seconds), bps: Math.round((s.bytes * 8) / seconds) };
}

function matches(value: string, filter: string | undefined, fuzzy: boolean): boolean {
  if (filter === undefined) return true;
  return fuzzy ? value.toLowerCase().includes(filter.toLowerCase()) : value === filter;
}

function sortKey(orderBy: OrderBy, s: StreamStatus, r: Rates): number {
  if (orderBy.startsWith('publish_time')) return s.publishTime;
  if (orderBy.startsWith('frame_rate')) return r.frameRate ?? 0;
  return r.bps ?? 0;
}

/**
 * The Live API's item, plus livesnap's snapshot status. Extension fields (not in the cloud
 * API; clients ignore unknown fields): `KeyframeInterval` (seconds, omitted while unknown),
 * `SnapshotsTaken`, `SnapshotsSkipped` (capture overloaded), `SnapshotsFailed` (decode or
 * storage error), `LastSnapshotTime` (UTC, omitted before the first), `KeyframeIntervalTooLong`
 * (the GOP is longer than the rule's TimeInterval, so snapshots are further apart) and
 * `LastSnapshotError` (omitted when none).
 */
function toApiItem(s: StreamStatus, r: Rates): Record<string, unknown> {
  return {
    DomainName: s.domain,
    AppName: s.app,
    StreamName: s.stream,
    PublishTime: formatRpcTime(s.publishTime),
    PublishUrl: s.publishUrl ?? `${s.protocol}://${s.domain}/${s.app}/${s.stream}`,
    PublishDomain: s.domain,
    PublishType: s.protocol === 'pull' ? 'pull' : 'edge',
    ClientIp: clientIp(s.remote),
    Transcoded: 'no',
    VideoCodecType: s.codec ? (CODEC_NAMES[s.codec] ?? s.codec.toUpperCase()) : '',
    Width: s.width,
    Height: s.height,
    ...(r.frameRate !== undefined && { FrameRate: r.frameRate }),
    ...(r.bps !== undefined && { VideoDataRate: r.bps }),
    ...(s.keyframeIntervalMs > 0 && { KeyframeInterval: s.keyframeIntervalMs / 1000 }),
    SnapshotsTaken: s.snapshotsTaken,
    SnapshotsSkipped: s.snapshotsSkipped,
    SnapshotsFailed: s.snapshotsFailed,
    ...(s.lastSnapshotAt !== undefined && { LastSnapshotTime: formatRpcTime(s.lastSnapshotAt) }),
    KeyframeIntervalTooLong: s.keyframeIntervalTooLong,
    ...(s.lastError !== undefined && { LastSnapshotError: s.lastError }),
  };
}

function readFilters(p: ParamReader) {
  const fuzzy = (p.optionalOneOf('QueryType', ['strict', 'fuzzy']) ?? 'strict') === 'fuzzy';
  return {
    domain: p.optionalString('DomainName', { maxLength: 253 })?.toLowerCase(),
    app: p.optionalString('AppName', { maxLength: 255 }),
    stream: p.optionalString('StreamName', { maxLength: 256 }),
    fuzzy,
    streamType: p.optionalOneOf('StreamType', ['all', 'raw', 'trans']) ?? 'all',
    orderBy: p.optionalOneOf('OrderBy', ORDER_BY) ?? 'publish_time_desc',
  };
}

/** DescribeLiveStreamsOnlineList (Live 2016-11-01): the streams being published now. */
export function registerStreamStatusActions(
  registry: ActionRegistry,
  deps: StreamStatusDeps,
): void {
  registry.register({
    version: ApiVersion.Live,
    action: 'DescribeLiveStreamsOnlineList',
    handler: (p, ctx) => {
      const f = readFilters(p);
      const pageNum = p.optionalInteger('PageNum', { min: 1, max: 1_000_000 }) ?? 1;
      const pageSize = p.optionalInteger('PageSize', PAGE_SIZE) ?? PAGE_SIZE.default;
      const now = ctx.now();
      const rows = deps
        .streams()
        .filter(
          (s) =>
            f.streamType !== 'trans' && // livesnap never transcodes
            (f.domain === undefined || s.domain.toLowerCase() === f.domain) &&
            matches(s.app, f.app, f.fuzzy) &&
            matches(s.stream, f.stream, f.fuzzy),
        )
        .map((s) => ({ s, r: rates(s, now) }));
      const sign = f.orderBy.endsWith('_desc') ? -1 : 1;
      rows.sort((a, b) => {
        const d = sortKey(f.orderBy, a.s, a.r) - sortKey(f.orderBy, b.s, b.r);
        if (d !== 0) return sign * d;
        const ka = `${a.s.domain}/${a.s.app}/${a.s.stream}`;
        const kb = `${b.s.domain}/${b.s.app}/${b.s.stream}`;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
      const page = rows.slice((pageNum - 1) * pageSize, pageNum * pageSize);
      return {
        PageNum: pageNum,
        PageSize: pageSize,
        TotalNum: rows.length,
        TotalPage: Math.ceil(rows.length / pageSize),
        OnlineInfo: { LiveStreamOnlineInfo: page.map(({ s, r }) => toApiItem(s, r)) },
      };
    },
  });
}
