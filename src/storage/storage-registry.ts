import { LocalObjectStore } from './local-object-store.js';
import type { ObjectStore } from './object-store-types.js';
import { UnknownStorageEndpointError } from './storage-errors.js';

export const LOCAL_ENDPOINT = 'local';

export interface StorageRegistryOptions {
  /** LIVESNAP_DATA_DIR, for the `local` store. */
  readonly dataDir: string;
  /**
   * Stores for the other configured endpoints (S3-compatible ones, built by the composition
   * root from configuration). Their names must be unique and not "local".
   */
  readonly stores?: readonly ObjectStore[];
  /** The storage an `oss://bucket/...` URL means when the bucket alone does not decide. */
  readonly defaultEndpoint?: string;
}

/**
 * Maps OssEndpoint names to object stores. `local` (the data directory) always exists; S3
 * endpoints come from configuration: the seam is `stores` / register(), e.g.
 * `new S3ObjectStore({ name: 'minio', endpoint, region, credentials })` once it exists.
 */
export class StorageRegistry {
  private readonly stores = new Map<string, ObjectStore>();
  private readonly defaultName: string;

  constructor(options: StorageRegistryOptions) {
    this.register(new LocalObjectStore({ dataDir: options.dataDir, name: LOCAL_ENDPOINT }));
    for (const store of options.stores ?? []) this.register(store);
    this.defaultName = options.defaultEndpoint ?? LOCAL_ENDPOINT;
    this.get(this.defaultName); // throws for an unknown default
  }

  /** Add a store under its name; a name may be registered once. */
  register(store: ObjectStore): void {
    if (this.stores.has(store.name)) {
      throw new Error(`storage endpoint ${JSON.stringify(store.name)} is already registered`);
    }
    this.stores.set(store.name, store);
  }

  /** The store for an endpoint name; throws UnknownStorageEndpointError. */
  get(endpoint: string): ObjectStore {
    const store = this.stores.get(endpoint);
    if (store === undefined) throw new UnknownStorageEndpointError(endpoint, this.names);
    return store;
  }

  has(endpoint: string): boolean {
    return this.stores.has(endpoint);
  }

  get names(): string[] {
    return [...this.stores.keys()];
  }

  get local(): ObjectStore {
    return this.get(LOCAL_ENDPOINT);
  }

  get default(): ObjectStore {
    return this.get(this.defaultName);
  }

  /** Close every store, in reverse order of registration. */
  async close(): Promise<void> {
    for (const store of [...this.stores.values()].reverse()) await store.close();
  }
}
