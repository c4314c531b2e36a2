import type { Logger } from '../log.js';
import type { ActionContext, ActionRegistry } from './action-registry.js';
import { ApiError } from './api-error.js';
import { newRequestId, ResponseFormat, serialize, type RpcReply } from './envelope.js';
import { renderApiError, type RecommendFn } from './error-reply.js';
import { NonceStore } from './nonce-store.js';
import { ParamReader } from './param-reader.js';
import { RateLimiter } from './rate-limiter.js';
import { decodeForm, mergeParams } from './request-params.js';
import { authenticate, type AccessKeyLookup } from './request-auth.js';

export type { AccessKeyLookup, AccessKeyInfo } from './request-auth.js';

/** Spec §1.5 step 4: accepted clock skew, both directions. */
export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

export interface RpcServiceOptions {
  registry: ActionRegistry;
  accessKeys: AccessKeyLookup;
  log: Logger;
  /** Server clock (ms); injectable for tests. */
  now?: () => number;
  /**
   * QPS overrides, looked up by action name, then qps group, then `'*'` (tests lower the
   * spec's limits with `{ '*': 2 }`). A value of 0 disables the limit.
   */
  qpsOverrides?: Readonly<Record<string, number>>;
  /** Nonces remembered at most (bounded memory); default 200 000. */
  maxNonces?: number;
  /** `HostId` of error envelopes; default: the request's Host header without port. */
  hostId?: string;
  /** `Recommend` of error envelopes; return undefined to omit it. */
  recommend?: RecommendFn;
}

/** One HTTP request to `/`, as raw as the transport gives it. */
export interface RpcRequest {
  method: string;
  /** The raw query string, without `?`. */
  query: string;
  body?: Buffer | string;
  contentType?: string;
  host?: string;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The RPC protocol of spec §1, independent of the HTTP framework: parse and merge
 * parameters, authenticate (signature v1, timestamp window, nonce), throttle, dispatch
 * by (Version, Action), and wrap the result or error in the envelope.
 */
export class RpcService {
  private readonly now: () => number;
  private readonly nonces: NonceStore;
  private readonly limiter = new RateLimiter();

  constructor(private readonly opts: RpcServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.nonces = new NonceStore(TIMESTAMP_WINDOW_MS, opts.maxNonces);
  }

  get registry(): ActionRegistry {
    return this.opts.registry;
  }

  async handle(req: RpcRequest): Promise<RpcReply> {
    const started = performance.now();
    const requestId = newRequestId();
    let format: ResponseFormat = ResponseFormat.Json;
    let params: Map<string, string> | undefined;
    let reply: RpcReply;
    try {
      const method = req.method.toUpperCase();
      if (method !== 'GET' && method !== 'POST') throw new ApiError('UnsupportedHTTPMethod');
      params = mergeParams(decodeForm(req.query), method === 'POST' ? parseBody(req) : []);
      format = params.get('Format')?.toUpperCase() === 'XML' ? ResponseFormat.Xml : format;
      reply = await this.dispatch(method, params, requestId, format);
    } catch (err) {
      reply = this.errorReply(err, requestId, format, req, params);
    }
    const code = reply.status >= 400 ? String(reply.envelope.Code) : undefined;
    this.opts.log.debug(
      {
        requestId,
        action: params?.get('Action')?.slice(0, 64),
        accessKeyId: params?.get('AccessKeyId')?.slice(0, 64),
        status: reply.status,
        code,
        ms: Math.round(performance.now() - started),
      },
      'rpc',
    );
    return reply;
  }

  private async dispatch(
    method: 'GET' | 'POST',
    params: Map<string, string>,
    requestId: string,
    format: ResponseFormat,
  ): Promise<RpcReply> {
    const formatParam = params.get('Format');
    if (formatParam !== undefined && !/^(json|xml)$/i.test(formatParam)) {
      throw new ApiError('InvalidParameter', { args: ['Format'] });
    }
    const now = this.now();
    const auth = await authenticate(method, params, this.opts.accessKeys, now, TIMESTAMP_WINDOW_MS);
    if (this.nonces.has(auth.accessKeyId, auth.nonce, now)) {
      throw new ApiError('SignatureNonceUsed');
    }

    const version = params.get('Version') ?? '';
    const actionName = params.get('Action') ?? '';
    if (!this.opts.registry.isKnownVersion(version)) throw new ApiError('InvalidVersion');
    const action = this.opts.registry.lookup(version, actionName);
    if (!action) throw new ApiError('InvalidAction.NotFound');

    const qps = this.qpsFor(actionName, action.qpsGroup, action.qps);
    if (qps !== undefined && !this.limiter.take(auth.accessKeyId, action.qpsGroup, qps, now)) {
      throw new ApiError('Throttling');
    }
    // No await since the nonce lookup above: check-then-record is atomic.
    if (!this.nonces.record(auth.accessKeyId, auth.nonce, auth.timestamp, now)) {
      throw new ApiError('ServiceUnavailable');
    }

    const ctx: ActionContext = {
      requestId,
      accessKeyId: auth.accessKeyId,
      action: actionName,
      version,
      method,
      log: this.opts.log.child({ requestId, action: actionName }),
      now: this.now,
    };
    const result = await action.handler(new ParamReader(params, action.paramCodes), ctx);
    if (Object.hasOwn(result, 'Code') || Object.hasOwn(result, 'RequestId')) {
      throw new Error(`handler of ${actionName} returned a reserved top-level key`);
    }
    return serialize(200, { RequestId: requestId, ...result }, format, `${actionName}Response`);
  }

  private qpsFor(action: string, group: string, declared?: number): number | undefined {
    const o = this.opts.qpsOverrides;
    const v = o?.[action] ?? o?.[group] ?? o?.['*'] ?? declared;
    return v === 0 ? undefined : v;
  }

  private errorReply(
    err: unknown,
    requestId: string,
    format: ResponseFormat,
    req: RpcRequest,
    params: Map<string, string> | undefined,
  ): RpcReply {
    if (!(err instanceof ApiError)) {
      this.opts.log.error({ err, requestId, action: params?.get('Action') }, 'rpc handler failed');
    }
    const apiErr = err instanceof ApiError ? err : new ApiError('InternalError', { cause: err });
    return renderApiError(apiErr, {
      requestId,
      hostId: this.opts.hostId,
      host: req.host,
      recommend: this.opts.recommend,
      format,
      version: params?.get('Version'),
    });
  }
}

function parseBody(req: RpcRequest): Array<[string, string]> {
  const body = typeof req.body === 'string' ? req.body : (req.body?.toString('utf8') ?? '');
  if (body === '') return [];
  const type = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== FORM_TYPE) throw new ApiError('UnsupportedMediaType');
  return decodeForm(body);
}
