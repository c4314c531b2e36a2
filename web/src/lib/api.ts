import { RpcError, type RpcClient } from './rpc-client.js';

/** Typed wrappers of the Live actions the console uses (spec §2). */

export interface Rule {
  DomainName: string;
  AppName: string;
  TimeInterval: number;
  OssEndpoint: string;
  OssBucket: string;
  OverwriteOssObject?: string;
  SequenceOssObject?: string;
  Callback?: string;
  CreateTime: string;
}

export type RuleFields = Omit<Rule, 'CreateTime'>;

/** Every rule of a domain (the API pages by at most 30). */
export async function listRules(c: RpcClient, domain: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  for (let page = 1; ; page++) {
    const res = await c.call<{
      TotalPage: number;
      LiveStreamSnapshotConfigList: { LiveStreamSnapshotConfig: Rule[] };
    }>('DescribeLiveSnapshotConfig', { DomainName: domain, PageNum: page, PageSize: 30 });
    rules.push(...res.LiveStreamSnapshotConfigList.LiveStreamSnapshotConfig);
    if (page >= res.TotalPage) return rules;
  }
}

export interface NotifyConfig {
  NotifyUrl: string;
  NotifyReqAuth: string;
  NotifyAuthKey: string;
}

function notFound(err: unknown): boolean {
  return err instanceof RpcError && err.code === 'InvalidConfig.NotFound';
}

/** The domain's NotifyUrl settings, or undefined when none is set. */
export async function getNotifyConfig(
  c: RpcClient,
  domain: string,
): Promise<NotifyConfig | undefined> {
  try {
    return await c.call<NotifyConfig>('DescribeLiveSnapshotNotifyConfig', { DomainName: domain });
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

export interface CallbackAuth {
  CallbackReqAuth: string;
  CallbackAuthKey: string;
}

export function getCallbackAuth(c: RpcClient, domain: string): Promise<CallbackAuth> {
  return c.call<CallbackAuth>('QuerySnapshotCallbackAuth', { DomainName: domain });
}

export interface OnlineStream {
  DomainName: string;
  AppName: string;
  StreamName: string;
  PublishTime: string;
  ClientIp: string;
  VideoCodecType: string;
  Width: number;
  Height: number;
  FrameRate?: number;
  VideoDataRate?: number;
  KeyframeInterval?: number;
  SnapshotsTaken: number;
  SnapshotsSkipped: number;
  SnapshotsFailed: number;
  LastSnapshotTime?: string;
  KeyframeIntervalTooLong: boolean;
  LastSnapshotError?: string;
}

export interface OnlinePage {
  TotalNum: number;
  TotalPage: number;
  PageNum: number;
  streams: OnlineStream[];
}

export async function listOnline(
  c: RpcClient,
  q: { domain?: string; stream?: string; pageNum?: number; pageSize?: number } = {},
): Promise<OnlinePage> {
  const res = await c.call<{
    TotalNum: number;
    TotalPage: number;
    PageNum: number;
    OnlineInfo: { LiveStreamOnlineInfo: OnlineStream[] };
  }>('DescribeLiveStreamsOnlineList', {
    DomainName: q.domain || undefined,
    StreamName: q.stream || undefined,
    QueryType: q.stream ? 'fuzzy' : undefined,
    PageNum: q.pageNum,
    PageSize: q.pageSize,
  });
  return { ...res, streams: res.OnlineInfo.LiveStreamOnlineInfo };
}

export interface SnapshotItem {
  OssEndpoint: string;
  OssBucket: string;
  OssObject: string;
  CreateTime: string;
  CreateTimestamp: number;
  IsOverlay: boolean;
  /** livesnap: a signed URL of the object (local storage). */
  Url?: string;
}

export interface StreamRef {
  domain: string;
  app: string;
  stream: string;
}

export interface SnapshotPage {
  items: SnapshotItem[];
  NextStartTime?: string;
}

export async function listSnapshots(
  c: RpcClient,
  s: StreamRef,
  q: { StartTime: string; EndTime: string; Order: 'asc' | 'desc'; Limit: number },
  signal?: AbortSignal,
): Promise<SnapshotPage> {
  const res = await c.call<{
    NextStartTime?: string;
    LiveStreamSnapshotInfoList: { LiveStreamSnapshotInfo: SnapshotItem[] };
  }>(
    'DescribeLiveStreamSnapshotInfo',
    { DomainName: s.domain, AppName: s.app, StreamName: s.stream, ...q },
    signal ? { signal } : {},
  );
  return {
    items: res.LiveStreamSnapshotInfoList.LiveStreamSnapshotInfo,
    ...(res.NextStartTime ? { NextStartTime: res.NextStartTime } : {}),
  };
}

/** The API deletes at most this many timestamps per call (the console's batch size). */
export const DELETE_BATCH = 200;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface DeleteProgress {
  batch: number;
  batches: number;
  deleted: number[];
  failed: number[];
}

/**
 * Deletes snapshot records by capture time in batches of at most DELETE_BATCH, one call
 * after another; `onBatch` reports each batch. Timestamps answered `FileNotFound` were
 * already gone (they count as removed from view). Stops at the first failing call.
 */
export async function deleteSnapshots(
  c: RpcClient,
  s: StreamRef,
  timestamps: readonly number[],
  removeFile: boolean,
  onBatch?: (p: DeleteProgress) => void,
): Promise<DeleteProgress> {
  const batches = chunk([...new Set(timestamps)], DELETE_BATCH);
  const progress: DeleteProgress = { batch: 0, batches: batches.length, deleted: [], failed: [] };
  for (const batch of batches) {
    const res = await c.call<{
      SnapshotDeleteInfoList: {
        SnapshotDeleteInfo: Array<{ CreateTimestamp: number; Message: string }>;
      };
    }>('DeleteSnapshotFiles', {
      DomainName: s.domain,
      AppName: s.app,
      StreamName: s.stream,
      CreateTimestampList: batch,
      RemoveFile: removeFile,
    });
    for (const info of res.SnapshotDeleteInfoList.SnapshotDeleteInfo) {
      if (info.Message === 'OK') progress.deleted.push(Number(info.CreateTimestamp));
      else progress.failed.push(Number(info.CreateTimestamp));
    }
    progress.batch++;
    onBatch?.({ ...progress });
  }
  return progress;
}
