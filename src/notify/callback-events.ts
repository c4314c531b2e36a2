import type { SnapshotRecord } from '../catalog/catalog-types.js';

/**
 * The `Event` values livesnap sends, and their JSON bodies. Field names follow the cloud
 * API's PascalCase; times are UTC `yyyy-MM-ddTHH:mm:ssZ` plus the same instant in Unix ms.
 * Documented in README.md ("Callbacks").
 */
export const CallbackEvent = {
  /** A snapshot object was stored (to the rule's Callback and the domain's NotifyUrl). */
  LiveSnapshot: 'LiveSnapshot',
  /** A chosen keyframe could not be decoded or its object not stored (NotifyUrl). */
  LiveSnapshotFailed: 'LiveSnapshotFailed',
  /** A stream started publishing (NotifyUrl). */
  LiveStreamPublish: 'LiveStreamPublish',
  /** A stream stopped publishing (NotifyUrl). */
  LiveStreamUnpublish: 'LiveStreamUnpublish',
} as const;
export type CallbackEvent = (typeof CallbackEvent)[keyof typeof CallbackEvent];

/** Longest error text sent in a LiveSnapshotFailed body. */
export const MAX_ERROR_TEXT = 300;

/** `2026-11-21T08:00:00Z`: UTC, whole seconds. */
export function utcSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The DESIGN.md §3 body, fields in that order. */
export interface SnapshotCallbackBody {
  Event: typeof CallbackEvent.LiveSnapshot;
  DomainName: string;
  AppName: string;
  StreamName: string;
  OssEndpoint: string;
  OssBucket: string;
  OssObject: string;
  IsOverlay: boolean;
  CreateTime: string;
  CreateTimestamp: number;
  Width: number;
  Height: number;
  Size: number;
  Url: string;
}

export function snapshotBody(record: SnapshotRecord, url: string): SnapshotCallbackBody {
  return {
    Event: CallbackEvent.LiveSnapshot,
    DomainName: record.domainName.toLowerCase(),
    AppName: record.appName,
    StreamName: record.streamName,
    OssEndpoint: record.ossEndpoint,
    OssBucket: record.ossBucket,
    OssObject: record.ossObject,
    IsOverlay: record.isOverlay,
    CreateTime: utcSeconds(record.createTimestamp),
    CreateTimestamp: record.createTimestamp,
    Width: record.width,
    Height: record.height,
    Size: record.size,
    Url: url,
  };
}

export interface StreamIdentity {
  domain: string;
  app: string;
  stream: string;
}

function identity(s: StreamIdentity) {
  return { DomainName: s.domain.toLowerCase(), AppName: s.app, StreamName: s.stream };
}

export interface PublishFacts extends StreamIdentity {
  /** Publish start, ms. */
  publishedAt: number;
  /** Ingest protocol: rtmp, rtmps, pull. */
  protocol: string;
  /** The publisher's address as ingest saw it. */
  remote: string;
}

export function publishBody(f: PublishFacts) {
  return {
    Event: CallbackEvent.LiveStreamPublish,
    ...identity(f),
    PublishTime: utcSeconds(f.publishedAt),
    PublishTimestamp: f.publishedAt,
    Protocol: f.protocol,
    RemoteAddress: f.remote,
  };
}

export interface UnpublishFacts extends StreamIdentity {
  publishedAt: number;
  unpublishedAt: number;
  reason: string;
}

export function unpublishBody(f: UnpublishFacts) {
  return {
    Event: CallbackEvent.LiveStreamUnpublish,
    ...identity(f),
    PublishTime: utcSeconds(f.publishedAt),
    PublishTimestamp: f.publishedAt,
    UnpublishTime: utcSeconds(f.unpublishedAt),
    UnpublishTimestamp: f.unpublishedAt,
    Reason: f.reason,
  };
}

export interface SnapshotFailureFacts extends StreamIdentity {
  failedAt: number;
  stage: 'decode' | 'storage';
  error: string;
  endpoint: string;
  bucket: string;
  object?: string;
}

export function snapshotFailedBody(f: SnapshotFailureFacts) {
  const error =
    f.error.length > MAX_ERROR_TEXT ? `${f.error.slice(0, MAX_ERROR_TEXT - 1)}…` : f.error;
  return {
    Event: CallbackEvent.LiveSnapshotFailed,
    ...identity(f),
    Stage: f.stage,
    Error: error,
    OssEndpoint: f.endpoint,
    OssBucket: f.bucket,
    ...(f.object !== undefined ? { OssObject: f.object } : {}),
    FailTime: utcSeconds(f.failedAt),
    FailTimestamp: f.failedAt,
  };
}
