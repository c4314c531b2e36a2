import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { MediaAssetRecord } from '../catalog/snapshot-job-types.js';
import { errorMessage } from '../errors.js';
import { LocalObjectStore } from '../storage/local-object-store.js';
import type { ObjectStore } from '../storage/object-store-types.js';
import { ObjectNotFoundError } from '../storage/storage-errors.js';
import { JobError, JobErrorCode } from './job-errors.js';
import { parseMediaAddress, type MediaAddress } from './media-address.js';

/** The storage registry as jobs see it (StorageRegistry fits). */
export interface JobStores {
  readonly names: string[];
  get(endpoint: string): ObjectStore;
  readonly default: ObjectStore;
}

/** Input types of SubmitSnapshotJob. */
export const InputType = { OSS: 'OSS', Media: 'Media' } as const;

/**
 * The store an `oss://bucket/…` address means: the one configured storage that has the
 * bucket, else the default storage (DESIGN.md §4). Local buckets are the directories under
 * `<dataDir>/storage`.
 */
export async function storeForBucket(stores: JobStores, bucket: string): Promise<ObjectStore> {
  const having: ObjectStore[] = [];
  for (const name of stores.names) {
    const store = stores.get(name);
    if (await store.bucketExists(bucket).catch(() => false)) having.push(store);
  }
  return having.length === 1 ? having[0]! : stores.default;
}

/** A readable input: what FFmpeg opens, and a cleanup for downloaded copies. */
export interface ResolvedInput {
  /** A file path or an http(s) URL. */
  readonly location: string;
  /** FFmpeg protocols the input may use. */
  readonly protocols: string;
  release(): Promise<void>;
}

export interface ResolveInputOptions {
  readonly stores: JobStores;
  readonly lookupMedia: (mediaId: string) => Promise<MediaAssetRecord | undefined>;
  /** Where copies of objects from remote stores are downloaded. */
  readonly tmpDir: string;
}

export const FILE_PROTOCOLS = 'file';
const NETWORK_PROTOCOLS = 'http,https,tcp,tls,crypto';

/** Finds the bytes a job reads: a local object's file, a download, or a URL. */
export async function resolveInput(
  input: { type: string; media: string },
  o: ResolveInputOptions,
): Promise<ResolvedInput> {
  let address: MediaAddress | undefined;
  if (input.type === InputType.Media) {
    const media = await o.lookupMedia(input.media);
    if (!media) {
      throw new JobError(JobErrorCode.InputNotFound, `no media ${JSON.stringify(input.media)}`);
    }
    address = parseMediaAddress(media.inputUrl);
  } else {
    address = parseMediaAddress(input.media);
  }
  if (!address) {
    throw new JobError(JobErrorCode.InputNotFound, `not a media address: ${input.media}`);
  }
  if (address.kind === 'url') {
    return { location: address.url, protocols: NETWORK_PROTOCOLS, release: async () => {} };
  }
  const store = await storeForBucket(o.stores, address.bucket);
  const where = `oss://${address.bucket}/${address.object}`;
  const info = await store.head(address.bucket, address.object).catch((err: unknown) => {
    throw new JobError(JobErrorCode.InputNotFound, `cannot read ${where}: ${errorMessage(err)}`);
  });
  if (!info) throw new JobError(JobErrorCode.InputNotFound, `${where} does not exist`);
  if (store instanceof LocalObjectStore) {
    const file = join(store.root, address.bucket, ...address.object.split('/'));
    return { location: file, protocols: FILE_PROTOCOLS, release: async () => {} };
  }
  // A remote store: FFmpeg reads a local copy (it seeks; objects may be private).
  await mkdir(o.tmpDir, { recursive: true });
  const file = join(o.tmpDir, `input-${randomUUID()}`);
  try {
    const { stream } = await store.getStream(address.bucket, address.object);
    await pipeline(stream, createWriteStream(file, { flags: 'wx' }));
  } catch (err) {
    await rm(file, { force: true });
    const code =
      err instanceof ObjectNotFoundError
        ? JobErrorCode.InputNotFound
        : JobErrorCode.InputUnreadable;
    throw new JobError(code, `cannot download ${where}: ${errorMessage(err)}`, { cause: err });
  }
  return {
    location: file,
    protocols: FILE_PROTOCOLS,
    release: () => rm(file, { force: true }),
  };
}
