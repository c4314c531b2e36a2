import type { Readable } from 'node:stream';

/**
 * Public types of object storage. One interface, implemented by the local directory store
 * and (later) an S3-compatible store; both pass test/storage-contract.test.ts unchanged.
 *
 * Keys are '/'-separated relative paths validated by validateObjectKey (object-key.ts) and
 * bucket names by validateBucketName; every method throws InvalidObjectKeyError /
 * InvalidBucketNameError on bad ones before touching the storage, and StorageIoError when
 * the storage fails (disk full, unwritable, unreachable).
 */

export interface ObjectInfo {
  readonly bucket: string;
  readonly key: string;
  /** Bytes. */
  readonly size: number;
  readonly lastModified: Date;
  /** MIME type (the local store derives it from the key's extension). */
  readonly contentType: string;
}

export interface PutOptions {
  /** MIME type to store with the object (default: from the key's extension). */
  readonly contentType?: string;
}

/** A whole object read into memory. */
export interface ObjectData extends ObjectInfo {
  readonly body: Buffer;
}

/** An object being streamed: consume `stream` or destroy() it, or the handle stays open. */
export interface ObjectStream extends ObjectInfo {
  readonly stream: Readable;
}

/** Inclusive byte range, as in an HTTP Range header (`end` defaults to the last byte). */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

export interface ListOptions {
  /** Only keys starting with this (plain string prefix, not a path). */
  readonly prefix?: string;
  /** Only keys after this one (the previous page's nextStartAfter). */
  readonly startAfter?: string;
  /** Page size, 1–1000 (default 1000). */
  readonly limit?: number;
}

export interface ListPage {
  /** In ascending order of the keys' UTF-8 bytes (S3 order). */
  readonly objects: readonly ObjectInfo[];
  /** Present when there may be more: pass it as `startAfter` for the next page. */
  readonly nextStartAfter?: string;
}

export const MAX_LIST_LIMIT = 1000;

export interface ObjectStore {
  /** The endpoint name rules refer to (OssEndpoint), e.g. "local". */
  readonly name: string;

  /**
   * Store `bytes` as `key`, atomically: readers see the previous object or the new one, never
   * a part; on failure nothing partial is left (an existing object is kept). Resolves once the
   * object is durable. Buckets need not exist beforehand where the store allows it (local).
   */
  put(bucket: string, key: string, bytes: Uint8Array, options?: PutOptions): Promise<ObjectInfo>;

  /** Read a whole object. Throws ObjectNotFoundError when it does not exist. */
  get(bucket: string, key: string): Promise<ObjectData>;

  /**
   * Stream an object (or a byte range of it), e.g. to an HTTP response. The size and content
   * are of one version even if the object is overwritten meanwhile. Throws
   * ObjectNotFoundError when it does not exist, RangeError for a range outside the object.
   */
  getStream(bucket: string, key: string, range?: ByteRange): Promise<ObjectStream>;

  /** Size, type and time of an object, or undefined when it does not exist. */
  head(bucket: string, key: string): Promise<ObjectInfo | undefined>;

  /** Remove an object; idempotent. Resolves true when it existed. */
  delete(bucket: string, key: string): Promise<boolean>;

  /** One page of a bucket's objects (an unknown bucket lists as empty). */
  list(bucket: string, options?: ListOptions): Promise<ListPage>;

  /** Whether the bucket exists (local: has been used). */
  bucketExists(bucket: string): Promise<boolean>;

  /** Release connections and handles. The store is unusable afterwards. */
  close(): Promise<void>;
}
