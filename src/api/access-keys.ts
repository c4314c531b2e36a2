import { randomInt } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog-types.js';
import { ConfigError, errorMessage, PermanentError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AccessKeyLookup } from './request-auth.js';

/** File under the data dir holding a generated root key (mode 0600). */
export const CREDENTIALS_FILE = 'credentials.json';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomAlnum(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

/** A fresh key pair shaped like the cloud's: `LTAI` + 20 alnum, secret 30 alnum. */
export function generateAccessKey(): { accessKeyId: string; accessKeySecret: string } {
  return { accessKeyId: `LTAI${randomAlnum(20)}`, accessKeySecret: randomAlnum(30) };
}

export type RootKeySource = 'config' | 'file' | 'generated';

export interface RootAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** `generated` only on the start that created it: print it then, once. */
  source: RootKeySource;
  /** The credentials file, when the key lives in one. */
  file?: string;
  /** Serializes without the secret, so logging this object never leaks it. */
  toJSON(): Record<string, unknown>;
}

export interface BootstrapOptions {
  dataDir: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  catalog: Catalog;
  log?: Logger;
  now?: () => number;
}

interface CredentialsFile {
  accessKeyId: string;
  accessKeySecret: string;
  createdAt?: string;
}

function rootKey(id: string, secret: string, source: RootKeySource, file?: string): RootAccessKey {
  return {
    accessKeyId: id,
    accessKeySecret: secret,
    source,
    ...(file ? { file } : {}),
    toJSON: () => ({ accessKeyId: id, accessKeySecret: '[redacted]', source, file }),
  };
}

function readCredentials(file: string, log?: Logger): CredentialsFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PermanentError('CREDENTIALS_UNREADABLE', `cannot read ${file}`, { cause: err });
  }
  let parsed: Partial<CredentialsFile>;
  try {
    parsed = JSON.parse(text) as Partial<CredentialsFile>;
  } catch (err) {
    throw new PermanentError(
      'CREDENTIALS_INVALID',
      `${file} is not valid JSON; remove it to generate a new key`,
      {
        cause: err,
      },
    );
  }
  if (
    typeof parsed.accessKeyId !== 'string' ||
    typeof parsed.accessKeySecret !== 'string' ||
    parsed.accessKeyId === '' ||
    parsed.accessKeySecret === ''
  ) {
    throw new PermanentError(
      'CREDENTIALS_INVALID',
      `${file} lacks accessKeyId/accessKeySecret; remove it to generate a new key`,
    );
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    log?.warn({ file }, 'credentials file was readable by others; mode reset to 0600');
  }
  return { accessKeyId: parsed.accessKeyId, accessKeySecret: parsed.accessKeySecret };
}

function writeCredentials(file: string, creds: CredentialsFile): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
}

/**
 * Decides the root access key at startup (DESIGN §2): the configured one; else the one
 * saved in `<dataDir>/credentials.json`; else a new one, saved there with mode 0600 and
 * returned with `source: 'generated'` so the caller prints it once. The key becomes the
 * catalog's only active root key (a previous root key is deactivated). The secret is
 * never logged.
 */
export async function bootstrapRootAccessKey(opts: BootstrapOptions): Promise<RootAccessKey> {
  const now = opts.now ?? Date.now;
  const { accessKeyId: id, accessKeySecret: secret } = opts;
  let key: RootAccessKey;
  if (id !== undefined || secret !== undefined) {
    if (!id) throw new ConfigError('accessKeyId', 'set together with accessKeySecret');
    if (!secret) throw new ConfigError('accessKeySecret', 'set together with accessKeyId');
    key = rootKey(id, secret, 'config');
  } else {
    const file = join(opts.dataDir, CREDENTIALS_FILE);
    const saved = readCredentials(file, opts.log);
    if (saved) {
      key = rootKey(saved.accessKeyId, saved.accessKeySecret, 'file', file);
    } else {
      const fresh = generateAccessKey();
      try {
        mkdirSync(opts.dataDir, { recursive: true });
        writeCredentials(file, { ...fresh, createdAt: new Date(now()).toISOString() });
      } catch (err) {
        throw new PermanentError(
          'CREDENTIALS_UNWRITABLE',
          `cannot write ${file}: ${errorMessage(err)}`,
          {
            cause: err,
          },
        );
      }
      key = rootKey(fresh.accessKeyId, fresh.accessKeySecret, 'generated', file);
    }
  }
  const existing = await opts.catalog.getAccessKey(key.accessKeyId);
  await opts.catalog.setRootAccessKey({
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    createdAt: existing?.createdAt ?? now(),
  });
  opts.log?.info({ accessKeyId: key.accessKeyId, source: key.source }, 'root access key ready');
  return key;
}

/** The RPC layer's view of the catalog's access keys. */
export function catalogAccessKeyLookup(catalog: Catalog): AccessKeyLookup {
  return async (accessKeyId) => {
    const k = await catalog.getAccessKey(accessKeyId);
    return k && { secret: k.accessKeySecret, active: k.active };
  };
}
