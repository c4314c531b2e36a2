import { ApiVersion } from './action-registry.js';
import type { ApiError } from './api-error.js';
import {
  newRequestId,
  ResponseFormat,
  serialize,
  type ErrorEnvelope,
  type RpcReply,
} from './envelope.js';

/** Builds the `Recommend` URL of an error envelope; undefined omits the field. */
export type RecommendFn = (
  code: string,
  requestId: string,
  version: string | undefined,
) => string | undefined;

/** The cloud's diagnosis page: the codes are the cloud's, so its explanations apply. */
export const defaultRecommend: RecommendFn = (code, requestId, version) => {
  const product = version === ApiVersion.Ice ? 'ICE' : 'Live';
  return `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=${product}&requestId=${requestId}`;
};

export interface ErrorReplyOptions {
  requestId?: string;
  /** Fixed HostId; default: `host` without its port. */
  hostId?: string;
  /** The request's Host header. */
  host?: string;
  recommend?: RecommendFn;
  format?: ResponseFormat;
  version?: string;
}

function hostIdOf(host: string | undefined): string {
  if (!host) return 'localhost';
  return host.slice(0, 255).replace(/:\d+$/, '');
}

/** The spec's error envelope (§1.6) for an ApiError, serialized as JSON or XML. */
export function renderApiError(err: ApiError, opts: ErrorReplyOptions = {}): RpcReply {
  const requestId = opts.requestId ?? newRequestId();
  const envelope: ErrorEnvelope = {
    RequestId: requestId,
    HostId: opts.hostId ?? hostIdOf(opts.host),
    Code: err.code,
    Message: err.message,
  };
  const recommend = (opts.recommend ?? defaultRecommend)(err.code, requestId, opts.version);
  if (recommend !== undefined) envelope.Recommend = recommend;
  return serialize(err.httpStatus, { ...envelope }, opts.format ?? ResponseFormat.Json, 'Error');
}
