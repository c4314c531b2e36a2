import { ApiError } from './api-error.js';
import { ApiErrors } from './error-codes.js';
import { parseRpcTime } from './rpc-time.js';
import {
  signaturesEqual,
  SignatureMethod,
  signParams,
  SignatureVersion,
  stringToSign,
} from './signature.js';

export interface AccessKeyInfo {
  secret: string;
  active: boolean;
}

/** Finds an access key's secret; undefined when the id is unknown. */
export type AccessKeyLookup = (accessKeyId: string) => Promise<AccessKeyInfo | undefined>;

/** Common parameters every request must carry (spec §1.5 step 2), in reporting order. */
export const REQUIRED_COMMON_PARAMS = [
  'Action',
  'Version',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
] as const;

const MAX_NONCE_LENGTH = 128;
const MAX_ACCESS_KEY_ID_LENGTH = 128;

export interface AuthResult {
  accessKeyId: string;
  nonce: string;
  /** The request's Timestamp in ms. */
  timestamp: number;
}

/**
 * Spec §1.5 steps 2–6: required parameters, signature method and version, timestamp
 * format and window, access key, and the signature itself (constant-time). The nonce
 * check (step 7) is left to the caller, which records it only once the request is accepted.
 */
export async function authenticate(
  method: 'GET' | 'POST',
  params: ReadonlyMap<string, string>,
  lookup: AccessKeyLookup,
  now: number,
  windowMs: number,
): Promise<AuthResult> {
  for (const name of REQUIRED_COMMON_PARAMS) {
    const v = params.get(name);
    if (v === undefined || v === '') throw new ApiError('MissingParameter', { args: [name] });
  }
  const get = (name: string): string => params.get(name) ?? '';

  if (get('SignatureMethod') !== SignatureMethod.HmacSha1) {
    throw new ApiError('InvalidSignatureMethod');
  }
  if (get('SignatureVersion') !== SignatureVersion.V1) {
    throw new ApiError('InvalidSignatureVersion');
  }
  const timestamp = parseRpcTime(get('Timestamp'));
  if (timestamp === undefined) throw new ApiError('InvalidTimeStamp.Format');
  if (Math.abs(now - timestamp) > windowMs) throw new ApiError('InvalidTimeStamp.Expired');

  const nonce = get('SignatureNonce');
  if (nonce.length > MAX_NONCE_LENGTH) {
    throw new ApiError('InvalidParameter', { args: ['SignatureNonce'] });
  }
  const accessKeyId = get('AccessKeyId');
  if (accessKeyId.length > MAX_ACCESS_KEY_ID_LENGTH) {
    throw new ApiError('InvalidAccessKeyId.NotFound');
  }
  const key = await lookup(accessKeyId);
  if (!key) throw new ApiError('InvalidAccessKeyId.NotFound');
  if (!key.active) throw new ApiError('InvalidAccessKeyId.Inactive');

  const expected = signParams(method, params, key.secret);
  if (!signaturesEqual(expected, get('Signature'))) {
    throw new ApiError('SignatureDoesNotMatch', {
      message: `${ApiErrors.SignatureDoesNotMatch.message} server string to sign is:${stringToSign(method, params)}`,
    });
  }
  return { accessKeyId, nonce, timestamp };
}
