import { LivesnapError, PermanentError } from '../errors.js';

/** A bucket name outside the S3/OSS syntax: 3–63 of a-z, 0-9, '-', starting and ending alnum. */
export class InvalidBucketNameError extends PermanentError {
  readonly bucket: string;
  constructor(bucket: string, reason: string) {
    super('STORAGE_INVALID_BUCKET', `invalid bucket name ${JSON.stringify(bucket)}: ${reason}`);
    this.bucket = bucket;
  }
}

/** An object key that could escape its bucket or cannot be stored (see object-key.ts). */
export class InvalidObjectKeyError extends PermanentError {
  readonly key: string;
  constructor(key: string, reason: string) {
    super('STORAGE_INVALID_KEY', `invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.key = key;
  }
}

/** A naming template (OverwriteOssObject / SequenceOssObject) that breaks the naming rules. */
export class InvalidObjectNameTemplateError extends PermanentError {
  readonly template: string;
  constructor(template: string, reason: string) {
    super(
      'STORAGE_INVALID_TEMPLATE',
      `invalid object name template ${JSON.stringify(template)}: ${reason}`,
    );
    this.template = template;
  }
}

export class ObjectNotFoundError extends PermanentError {
  constructor(bucket: string, key: string) {
    super('STORAGE_NOT_FOUND', `no object ${JSON.stringify(key)} in bucket ${bucket}`);
  }
}

/**
 * The key collides with the storage's layout (local: a "directory" where the key needs a
 * file, or the other way round). Retrying will not help.
 */
export class ObjectKeyConflictError extends PermanentError {
  constructor(bucket: string, key: string, options?: { cause?: unknown }) {
    super(
      'STORAGE_KEY_CONFLICT',
      `object key ${JSON.stringify(key)} in bucket ${bucket} conflicts with an existing object prefix`,
      options,
    );
  }
}

/**
 * The storage failed to read or write (disk full, unwritable, I/O error, network). Nothing
 * partial was left behind; the operation may succeed later. `reason` is the system error code
 * when there is one (ENOSPC, EACCES, ENOTDIR, EFBIG…).
 */
export class StorageIoError extends LivesnapError {
  readonly reason: string;
  constructor(message: string, options?: { cause?: unknown }) {
    const cause = options?.cause as { code?: unknown } | undefined;
    const reason = typeof cause?.code === 'string' ? cause.code : 'EIO';
    super('STORAGE_IO', `${message} (${reason})`, options);
    this.reason = reason;
  }
}

/** An OssEndpoint that names no configured storage. */
export class UnknownStorageEndpointError extends PermanentError {
  readonly endpoint: string;
  constructor(endpoint: string, known: readonly string[]) {
    super(
      'STORAGE_UNKNOWN_ENDPOINT',
      `unknown storage endpoint ${JSON.stringify(endpoint)} (configured: ${known.join(', ')})`,
    );
    this.endpoint = endpoint;
  }
}
