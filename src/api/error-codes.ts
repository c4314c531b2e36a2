/**
 * Every error code the RPC API answers with, its HTTP status and its message text, in one
 * place (spec §1.7, §2, §4.0). Published spellings ("paramters", "speicified", "math",
 * "Sopport") are kept on purpose: clients may match on them.
 *
 * `%s` in a message is replaced by the argument given when the error is raised (usually a
 * parameter name). Keys are the codes themselves, except where one code is published with
 * two statuses in different operation families (the key then names the family).
 *
 * Codes marked "livesnap" are our own: the spec is silent on those situations.
 */
export interface ApiErrorSpec {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

function e(code: string, status: number, message: string): ApiErrorSpec {
  return { code, status, message };
}

export const ApiErrors = {
  // ── Common RPC protocol (spec §1.7) ──
  MissingParameter: e(
    'MissingParameter',
    400,
    'The input parameter "%s" that is mandatory for processing this request is not supplied.',
  ),
  InvalidParameter: e('InvalidParameter', 400, 'The specified parameter "%s" is not valid.'),
  'InvalidAction.NotFound': e(
    'InvalidAction.NotFound',
    404,
    'Specified api is not found, please check your url and method.',
  ),
  /** Unknown URL path (any path other than the ones served). */
  'InvalidApi.NotFound': e(
    'InvalidApi.NotFound',
    404,
    'Specified api is not found, please check your url and method.',
  ),
  InvalidVersion: e('InvalidVersion', 400, 'Specified parameter Version is not valid.'),
  'InvalidAccessKeyId.NotFound': e(
    'InvalidAccessKeyId.NotFound',
    404,
    'Specified access key is not found.',
  ),
  'InvalidAccessKeyId.Inactive': e(
    'InvalidAccessKeyId.Inactive',
    400,
    'Specified access key is disabled.',
  ),
  IncompleteSignature: e(
    'IncompleteSignature',
    400,
    'The request signature does not conform to Aliyun standards.',
  ),
  InvalidSignatureMethod: e(
    'InvalidSignatureMethod',
    400,
    'Specified signature method is not valid.',
  ),
  /** livesnap: the spec only says SignatureVersion must be 1.0 (Invalid<Name> pattern). */
  InvalidSignatureVersion: e(
    'InvalidSignatureVersion',
    400,
    'Specified signature version is not valid.',
  ),
  SignatureDoesNotMatch: e(
    'SignatureDoesNotMatch',
    400,
    'Specified signature is not matched with our calculation.',
  ),
  'InvalidTimeStamp.Format': e(
    'InvalidTimeStamp.Format',
    400,
    'Specified time stamp or date value is not well formatted.',
  ),
  'InvalidTimeStamp.Expired': e(
    'InvalidTimeStamp.Expired',
    400,
    'Specified time stamp or date value is expired.',
  ),
  SignatureNonceUsed: e('SignatureNonceUsed', 400, 'Specified signature nonce was used already.'),
  UnsupportedHTTPMethod: e('UnsupportedHTTPMethod', 400, 'This http method not supported.'),
  Throttling: e('Throttling', 400, 'Request was denied due to user flow control.'),
  'Forbidden.RAM': e(
    'Forbidden.RAM',
    403,
    "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
  ),
  Forbidden: e('Forbidden', 403, 'User not authorized to operate on the specified resource.'),
  InternalError: e(
    'InternalError',
    500,
    'The request processing has failed due to some unknown error.',
  ),
  ServiceUnavailable: e(
    'ServiceUnavailable',
    503,
    'The request has failed due to a temporary failure of the server.',
  ),
  /** livesnap: a form body larger than the configured limit. */
  RequestEntityTooLarge: e(
    'RequestEntityTooLarge',
    413,
    'The request body is larger than the server accepts (%s bytes).',
  ),
  /** livesnap: request line or headers too large (e.g. a huge GET query string). */
  RequestHeaderFieldsTooLarge: e(
    'RequestHeaderFieldsTooLarge',
    431,
    'The request line or headers are larger than the server accepts.',
  ),
  /** livesnap: the client did not send its request in time. */
  RequestTimeout: e('RequestTimeout', 408, 'The request was not received in time.'),
  /** livesnap: bytes that are not an HTTP request. */
  BadRequest: e('BadRequest', 400, 'The request is not a valid HTTP request.'),
  /** livesnap: a POST body that is not application/x-www-form-urlencoded. */
  UnsupportedMediaType: e(
    'UnsupportedMediaType',
    415,
    'The request body must be application/x-www-form-urlencoded.',
  ),

  // ── ApsaraVideo Live, product-wide (spec §1.7; IllegalOperation and
  //    InvalidIdentity.ServiceDisabled messages are unpublished, ours) ──
  'InvalidDomain.NotFound': e(
    'InvalidDomain.NotFound',
    404,
    'The domain provided does not exist in our records.',
  ),
  IllegalOperation: e('IllegalOperation', 403, 'Illegal domain, operation is not permitted.'),
  'InvalidIdentity.ServiceDisabled': e(
    'InvalidIdentity.ServiceDisabled',
    400,
    'The Live service is disabled.',
  ),
  ConfigAlreadyExists: e('ConfigAlreadyExists', 400, 'Config has already exist.'),

  // ── Live snapshot rules (spec §2.1–2.3) ──
  'InvalidOverwriteOssObjectOrSequenceOssObject.Malformed': e(
    'InvalidOverwriteOssObjectOrSequenceOssObject.Malformed',
    400,
    'Specified paramters OverwriteOssObject or SequenceOssObject should have one.',
  ),
  'InvalidOssBucket.Malformed': e(
    'InvalidOssBucket.Malformed',
    400,
    'Specified parameter OssBucket is not valid.',
  ),
  'InvalidOssEndpoint.Malformed': e(
    'InvalidOssEndpoint.Malformed',
    400,
    'Specified parameter OssEndpoint is not valid.',
  ),
  'InvalidOverwriteOssObject.Malformed': e(
    'InvalidOverwriteOssObject.Malformed',
    400,
    'Specified parameter OverwriteOssObject is not valid.',
  ),
  'InvalidSequenceOssObject.Malformed': e(
    'InvalidSequenceOssObject.Malformed',
    400,
    'Specified parameter SequenceOssObject is not valid.',
  ),
  'InvalidOssBucket.NotFound': e(
    'InvalidOssBucket.NotFound',
    400,
    'The parameter OssBucket does not exist.',
  ),
  'InvalidConfig.NotFound': e(
    'InvalidConfig.NotFound',
    400,
    'The speicified config does not exist.',
  ),

  // ── Live snapshot records (spec §2.5) ──
  'InvalidStartTime.Malformed': e(
    'InvalidStartTime.Malformed',
    400,
    'Specified parameter StartTime is not valid.',
  ),
  'InvalidEndTime.Malformed': e(
    'InvalidEndTime.Malformed',
    400,
    'Specified parameter EndTime is not valid.',
  ),
  'InvalidEndTime.Mismatch': e(
    'InvalidEndTime.Mismatch',
    400,
    'Specified end time does not math the specified start time.',
  ),
  'InvalidStream.NotFound': e('InvalidStream.NotFound', 400, 'Speicified stream does not exist.'),
  /**
   * livesnap: StartTime before the queryable range (DescribeLiveDomainSnapshotData: last 90
   * days), named as the Live usage-data actions publish it.
   */
  'InvalidStartTime.ValueNotSupported': e(
    'InvalidStartTime.ValueNotSupported',
    400,
    'The specified value of parameter StartTime is not supported.',
  ),

  // ── Stored files at /storage/<bucket>/<object> (livesnap; the route imitates OSS URL
  //    signing, so its codes are OSS's) ──
  InvalidBucketName: e('InvalidBucketName', 400, 'The specified bucket is not valid.'),
  InvalidObjectName: e('InvalidObjectName', 400, 'The specified object name is not valid.'),
  NoSuchKey: e('NoSuchKey', 404, 'The specified key does not exist.'),
  InvalidRange: e('InvalidRange', 416, 'The requested range cannot be satisfied.'),

  // ── Live notify config and callback auth (spec §2.7, §2.8) ──
  MissingParam: e('MissingParam', 400, '%s, please check and try again later.'),
  MalformedParam: e('MalformedParam', 400, '%s, please check and try again later.'),
  /** The notify family publishes ConfigAlreadyExists with 409. */
  NotifyConfigAlreadyExists: e('ConfigAlreadyExists', 409, 'Config has already exist.'),
  /** livesnap: unpublished; the notify family's REST-like statuses suggest 404. */
  NotifyConfigNotFound: e('InvalidConfig.NotFound', 404, 'The speicified config does not exist.'),

  // ── ICE (spec §1.7, §4.0 and per-operation tables) ──
  UserDisable: e('UserDisable', 403, 'User is disable.'),
  OperationDenied: e('OperationDenied', 403, 'Your account has not enabled the ICE service.'),
  TemplateNotFound: e('TemplateNotFound', 404, 'No such template.'),
  JobNotFound: e('JobNotFound', 404, 'No such job.'),
  JobLimitExceeded: e('JobLimitExceeded', 400, 'Job limit exceeded.'),
  StreamNotFound: e('StreamNotFound', 400, 'No such stream.'),
  JobAlreadyStarted: e('JobAlreadyStarted', 409, 'Job is already started.'),
  MalformedStartTime: e('MalformedStartTime', 400, 'Specified parameter StartTime is not valid.'),
  MalformedEndTime: e('MalformedEndTime', 400, 'Specified parameter EndTime is not valid.'),
  EndTimeMismatch: e(
    'EndTimeMismatch',
    400,
    'Specified end time does not math the specified start time.',
  ),
  OverlayNotSupported: e(
    'OverlayNotSupported',
    400,
    'Not Sopport to remove overlay snapshot, please remove overlay snapshot from OSS console.',
  ),
  BucketNotAuthorized: e('BucketNotAuthorized', 403, 'Bucket is not authorised.'),
  NoValidSnapshot: e('NoValidSnapshot', 404, 'No snapshots found with given parameters.'),

  // ── ICE snapshot jobs on files (spec §3; per-operation codes unpublished, livesnap's) ──
  /** livesnap: a MediaId that was never registered (RegisterMediaInfo). */
  MediaNotFound: e('MediaNotFound', 404, 'No such media.'),
  /** livesnap: CancelSnapshotJob on a job that has already ended. */
  JobAlreadyFinished: e('JobAlreadyFinished', 409, 'Job has already finished.'),
} as const satisfies Record<string, ApiErrorSpec>;

export type ApiErrorKey = keyof typeof ApiErrors;

/** Replaces each `%s` in order with the given arguments (missing ones become ''). */
export function formatApiMessage(template: string, args: readonly string[]): string {
  let i = 0;
  return template.replace(/%s/g, () => args[i++] ?? '');
}
