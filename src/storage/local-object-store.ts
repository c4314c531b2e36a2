import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { contentTypeFor } from './content-type.js';
import {
  RESERVED_SEGMENT_PREFIX,
  compareKeys,
  validateBucketName,
  validateObjectKey,
} from './object-key.js';
import {
  MAX_LIST_LIMIT,
  type ByteRange,
  type ListOptions,
  type ListPage,
  type ObjectData,
  type ObjectInfo,
  type ObjectStore,
  type ObjectStream,
  type PutOptions,
} from './object-store-types.js';
import { ObjectKeyConflictError, ObjectNotFoundError, StorageIoError } from './storage-errors.js';

/** The file system calls the store makes (a seam for fault-injection tests). */
export type LocalFs = Pick<
  typeof nodeFs,
  'open' | 'mkdir' | 'rename' | 'unlink' | 'rmdir' | 'readdir' | 'stat'
>;

export interface LocalObjectStoreOptions {
  /** LIVESNAP_DATA_DIR: objects live under `<dataDir>/storage/<bucket>/<key>`. */
  readonly dataDir: string;
  /** Endpoint name (default "local"). */
  readonly name?: string;
  /** fsync file and directory on put (default true: put resolves once the object is durable). */
  readonly fsync?: boolean;
  readonly fs?: LocalFs;
}

const errCode = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Codes meaning "no such object" when opening / stat-ing a key's path. */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/**
 * Object storage in a local directory (DESIGN.md §3): object `<key>` of bucket `<bucket>` is
 * the file `<dataDir>/storage/<bucket>/<key>`; buckets and intermediate directories are
 * created on first use and empty directories are pruned on delete.
 *
 * put() is atomic: the bytes go to a temporary file in the target directory (named with the
 * reserved segment prefix, so it is never a valid key, never listed and never served),
 * fsync'ed, renamed over the target, and the directory fsync'ed. Readers see the old file or
 * the new one, never a part; on failure the temporary file is removed and an existing object
 * is left as it was.
 *
 * Limitation of a file system: a key cannot be both an object and a prefix of other objects
 * ("a/b" and "a/b/c"): such a put throws ObjectKeyConflictError. The content type is derived
 * from the key's extension (no metadata is stored).
 */
export class LocalObjectStore implements ObjectStore {
  readonly name: string;
  /** `<dataDir>/storage`. */
  readonly root: string;
  private readonly fs: LocalFs;
  private readonly fsync: boolean;

  constructor(options: LocalObjectStoreOptions) {
    this.name = options.name ?? 'local';
    this.root = path.resolve(options.dataDir, 'storage');
    this.fs = options.fs ?? nodeFs;
    this.fsync = options.fsync ?? true;
  }

  async put(
    bucket: string,
    key: string,
    bytes: Uint8Array,
    _options: PutOptions = {},
  ): Promise<ObjectInfo> {
    const file = this.pathOf(bucket, key);
    const dir = path.dirname(file);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.fs.mkdir(dir, { recursive: true });
      } catch (err) {
        throw await this.writeError(bucket, key, err);
      }
      const tmp = path.join(dir, `${RESERVED_SEGMENT_PREFIX}${randomBytes(8).toString('hex')}`);
      let handle: FileHandle | undefined;
      let stats: Stats;
      try {
        handle = await this.fs.open(tmp, 'wx', 0o644);
        await handle.writeFile(bytes);
        if (this.fsync) await handle.sync();
        stats = await handle.stat();
        await handle.close();
        handle = undefined;
        await this.fs.rename(tmp, file);
      } catch (err) {
        await handle?.close().catch(() => undefined);
        await this.fs.unlink(tmp).catch(() => undefined);
        // A concurrent delete may prune the directory between mkdir and open: try again.
        if (errCode(err) === 'ENOENT' && attempt < 3) continue;
        throw await this.writeError(bucket, key, err);
      }
      if (this.fsync) await this.syncDir(dir, bucket, key);
      return this.info(bucket, key, stats);
    }
  }

  async get(bucket: string, key: string): Promise<ObjectData> {
    const { handle, stats } = await this.openObject(bucket, key);
    try {
      const body = await handle.readFile();
      return { ...this.info(bucket, key, stats), size: body.length, body };
    } catch (err) {
      throw new StorageIoError(`cannot read ${bucket}/${key}`, { cause: err });
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async getStream(bucket: string, key: string, range?: ByteRange): Promise<ObjectStream> {
    const { handle, stats } = await this.openObject(bucket, key);
    let start = 0;
    let end = stats.size - 1;
    if (range !== undefined) {
      start = range.start;
      end = Math.min(range.end ?? end, end);
      if (!Number.isInteger(start) || start < 0 || start > end || !Number.isInteger(end)) {
        await handle.close().catch(() => undefined);
        throw new RangeError(`byte range ${range.start}-${range.end ?? ''} outside ${key}`);
      }
    }
    if (stats.size === 0) {
      await handle.close().catch(() => undefined);
      return { ...this.info(bucket, key, stats), stream: Readable.from([]) };
    }
    const stream = handle.createReadStream({ start, end, autoClose: true });
    return { ...this.info(bucket, key, stats), stream };
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    const file = this.pathOf(bucket, key);
    let stats: Stats;
    try {
      stats = await this.fs.stat(file);
    } catch (err) {
      if (MISSING.has(errCode(err) ?? '')) return undefined;
      throw new StorageIoError(`cannot stat ${bucket}/${key}`, { cause: err });
    }
    return stats.isFile() ? this.info(bucket, key, stats) : undefined;
  }

  async delete(bucket: string, key: string): Promise<boolean> {
    const file = this.pathOf(bucket, key);
    try {
      await this.fs.unlink(file);
    } catch (err) {
      const code = errCode(err) ?? '';
      if (MISSING.has(code) || code === 'EISDIR' || code === 'EPERM') return false;
      throw new StorageIoError(`cannot delete ${bucket}/${key}`, { cause: err });
    }
    await this.pruneEmptyDirs(path.dirname(file), path.join(this.root, bucket));
    return true;
  }

  async list(bucket: string, options: ListOptions = {}): Promise<ListPage> {
    validateBucketName(bucket);
    const prefix = options.prefix ?? '';
    const after = options.startAfter;
    const limit = Math.min(
      MAX_LIST_LIMIT,
      Math.max(1, Math.floor(options.limit ?? MAX_LIST_LIMIT)),
    );
    const bucketDir = path.join(this.root, bucket);
    const keys: string[] = [];
    await this.walk(bucketDir, '', prefix, keys);
    const candidates = keys
      .filter((k) => k.startsWith(prefix) && (after === undefined || compareKeys(k, after) > 0))
      .sort(compareKeys);
    const objects: ObjectInfo[] = [];
    let i = 0;
    for (; i < candidates.length && objects.length < limit; i++) {
      const info = await this.head(bucket, candidates[i]!).catch(() => undefined);
      if (info !== undefined) objects.push(info); // deleted meanwhile: skip
    }
    const more = i < candidates.length;
    return more ? { objects, nextStartAfter: candidates[i - 1] } : { objects };
  }

  async bucketExists(bucket: string): Promise<boolean> {
    validateBucketName(bucket);
    try {
      return (await this.fs.stat(path.join(this.root, bucket))).isDirectory();
    } catch (err) {
      if (MISSING.has(errCode(err) ?? '')) return false;
      throw new StorageIoError(`cannot stat bucket ${bucket}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    // Nothing is held between calls.
  }

  /** Validated file path of an object; never outside `<root>/<bucket>/`. */
  private pathOf(bucket: string, key: string): string {
    validateBucketName(bucket);
    validateObjectKey(key);
    const bucketDir = path.join(this.root, bucket);
    const file = path.join(bucketDir, ...key.split('/'));
    if (!file.startsWith(bucketDir + path.sep)) {
      throw new ObjectKeyConflictError(bucket, key); // unreachable after validation
    }
    return file;
  }

  private info(bucket: string, key: string, stats: Stats): ObjectInfo {
    return {
      bucket,
      key,
      size: stats.size,
      lastModified: stats.mtime,
      contentType: contentTypeFor(key),
    };
  }

  private async openObject(
    bucket: string,
    key: string,
  ): Promise<{ handle: FileHandle; stats: Stats }> {
    const file = this.pathOf(bucket, key);
    let handle: FileHandle;
    try {
      handle = await this.fs.open(file, 'r');
    } catch (err) {
      if (MISSING.has(errCode(err) ?? '')) throw new ObjectNotFoundError(bucket, key);
      throw new StorageIoError(`cannot open ${bucket}/${key}`, { cause: err });
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new ObjectNotFoundError(bucket, key);
      return { handle, stats };
    } catch (err) {
      await handle.close().catch(() => undefined);
      if (err instanceof ObjectNotFoundError) throw err;
      throw new StorageIoError(`cannot stat ${bucket}/${key}`, { cause: err });
    }
  }

  private async writeError(bucket: string, key: string, err: unknown): Promise<Error> {
    const code = errCode(err);
    if (code === 'EISDIR') return new ObjectKeyConflictError(bucket, key, { cause: err });
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      // A file where a directory is needed: inside the bucket it is a key conflict, above it
      // the storage directory itself is broken.
      const bucketIsDir = await this.fs
        .stat(path.join(this.root, bucket))
        .then((s) => s.isDirectory())
        .catch(() => false);
      if (bucketIsDir) return new ObjectKeyConflictError(bucket, key, { cause: err });
    }
    return new StorageIoError(`cannot write ${bucket}/${key}`, { cause: err });
  }

  private async syncDir(dir: string, bucket: string, key: string): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await this.fs.open(dir, 'r');
      await handle.sync();
    } catch (err) {
      const code = errCode(err);
      // Some file systems cannot fsync a directory; the rename is still done.
      if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') {
        throw new StorageIoError(`cannot sync the directory of ${bucket}/${key}`, { cause: err });
      }
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private async pruneEmptyDirs(dir: string, bucketDir: string): Promise<void> {
    while (dir.startsWith(bucketDir + path.sep)) {
      try {
        await this.fs.rmdir(dir);
      } catch {
        return; // not empty (or gone): stop
      }
      dir = path.dirname(dir);
    }
  }

  /** Collect keys under `dir` (relative key prefix `rel`) that can match `prefix`. */
  private async walk(dir: string, rel: string, prefix: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await this.fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (MISSING.has(errCode(err) ?? '')) return;
      throw new StorageIoError(`cannot list ${dir}`, { cause: err });
    }
    for (const entry of entries) {
      if (entry.name.startsWith(RESERVED_SEGMENT_PREFIX)) continue; // in-flight temporary
      const key = rel + entry.name;
      if (entry.isDirectory()) {
        const sub = key + '/';
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) {
          await this.walk(path.join(dir, entry.name), sub, prefix, out);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        out.push(key);
      }
    }
  }
}
