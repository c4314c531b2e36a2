/**
 * LocalObjectStore beyond the contract: the on-disk layout, temporary files, and failures of
 * the file system (unwritable storage directory, key conflicts, disk full, file too large,
 * failing fsync / rename). Running as root, permissions do not stop writes, so failures are
 * made by (1) a regular file where the storage directory should be, (2) a real kernel limit:
 * a child process with `ulimit -f` (RLIMIT_FSIZE → EFBIG), and (3) injected fs faults (ENOSPC
 * half-way through a write, EIO from fsync, EACCES from rename). In every case: a typed error,
 * the previous version of the object intact, and no temporary file left.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LocalObjectStore, type LocalFs } from '../src/storage/local-object-store.js';
import {
  InvalidObjectKeyError,
  ObjectKeyConflictError,
  StorageIoError,
} from '../src/storage/storage-errors.js';
import { HOSTILE_KEYS } from './storage-contract.test.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: injected fault`), { code });
}

/** Node's fs with one fault injected into the store's temporary-file writes. */
function faultyFs(fault: 'enospc-mid-write' | 'fsync-eio' | 'rename-eacces'): LocalFs {
  const fs: LocalFs = {
    open: nodeFs.open,
    mkdir: nodeFs.mkdir,
    rename: nodeFs.rename,
    unlink: nodeFs.unlink,
    rmdir: nodeFs.rmdir,
    readdir: nodeFs.readdir,
    stat: nodeFs.stat,
  };
  const open = async (file: string, flags?: string, mode?: number) => {
    const handle = await nodeFs.open(file, flags, mode);
    if (!path.basename(file).startsWith('.lstmp-')) return handle;
    return new Proxy(handle, {
      get(target, prop) {
        if (prop === 'writeFile' && fault === 'enospc-mid-write') {
          return async (data: Uint8Array) => {
            await target.write(data.subarray(0, data.length >> 1));
            throw errno('ENOSPC');
          };
        }
        if (prop === 'sync' && fault === 'fsync-eio') {
          return async () => {
            throw errno('EIO');
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return {
    ...fs,
    open: open as unknown as LocalFs['open'],
    rename:
      fault === 'rename-eacces'
        ? async () => {
            throw errno('EACCES');
          }
        : fs.rename,
  };
}

describe('LocalObjectStore (local specifics and failures)', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'livesnap-local-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores object <key> of bucket <bucket> at <dataDir>/storage/<bucket>/<key>', async () => {
    const store = new LocalObjectStore({ dataDir });
    assert.equal(store.name, 'local');
    await store.put('snaps', 'live/cam1/1763712000.jpg', Buffer.from('jpeg'));
    const file = path.join(dataDir, 'storage', 'snaps', 'live', 'cam1', '1763712000.jpg');
    assert.equal(await readFile(file, 'utf8'), 'jpeg');
    assert.deepEqual(await filesUnder(dataDir), ['storage/snaps/live/cam1/1763712000.jpg']);
  });

  it('never lists or serves temporary files', async () => {
    const store = new LocalObjectStore({ dataDir });
    await store.put('snaps', 'live/a.jpg', Buffer.from('a'));
    await writeFile(path.join(dataDir, 'storage/snaps/live/.lstmp-deadbeef'), 'partial');
    assert.deepEqual(
      (await store.list('snaps')).objects.map((o) => o.key),
      ['live/a.jpg'],
    );
    await assert.rejects(store.get('snaps', 'live/.lstmp-deadbeef'), InvalidObjectKeyError);
  });

  it('hostile keys create nothing anywhere', async () => {
    const store = new LocalObjectStore({ dataDir });
    for (const key of HOSTILE_KEYS) {
      await assert.rejects(store.put('snaps', key, Buffer.from('x')), InvalidObjectKeyError);
    }
    assert.deepEqual(await readdir(dataDir), []);
  });

  it('delete prunes emptied directories but keeps the bucket', async () => {
    const store = new LocalObjectStore({ dataDir });
    await store.put('snaps', 'a/b/c/1.jpg', Buffer.from('1'));
    await store.put('snaps', 'a/2.jpg', Buffer.from('2'));
    assert.equal(await store.delete('snaps', 'a/b/c/1.jpg'), true);
    assert.deepEqual(await readdir(path.join(dataDir, 'storage/snaps/a')), ['2.jpg']);
    assert.equal(await store.delete('snaps', 'a/2.jpg'), true);
    assert.deepEqual(await readdir(path.join(dataDir, 'storage/snaps')), []);
    assert.equal(await store.bucketExists('snaps'), true);
  });

  it('an unwritable storage directory (a regular file in its place) → StorageIoError', async () => {
    await writeFile(path.join(dataDir, 'storage'), 'not a directory');
    const store = new LocalObjectStore({ dataDir });
    const err = await store.put('snaps', 'live/a.jpg', Buffer.from('x')).catch((e: unknown) => e);
    assert.ok(err instanceof StorageIoError, String(err));
    assert.ok(['ENOTDIR', 'EEXIST'].includes(err.reason), err.reason);
    assert.equal(err.code, 'STORAGE_IO');
    assert.equal(await store.head('snaps', 'live/a.jpg'), undefined);
    assert.deepEqual((await store.list('snaps')).objects, []);
    assert.deepEqual(await readdir(dataDir), ['storage']);
  });

  it('a key that is a file where a directory is needed, or the reverse → ObjectKeyConflictError', async () => {
    const store = new LocalObjectStore({ dataDir });
    await store.put('snaps', 'live/cam1.jpg', Buffer.from('file'));
    await assert.rejects(
      store.put('snaps', 'live/cam1.jpg/deeper.jpg', Buffer.from('x')),
      ObjectKeyConflictError,
    );
    await store.put('snaps', 'dir/sub/x.jpg', Buffer.from('x'));
    await assert.rejects(store.put('snaps', 'dir/sub', Buffer.from('x')), ObjectKeyConflictError);
    assert.deepEqual(await filesUnder(path.join(dataDir, 'storage')), [
      'snaps/dir/sub/x.jpg',
      'snaps/live/cam1.jpg',
    ]);
  });

  for (const fault of ['enospc-mid-write', 'fsync-eio', 'rename-eacces'] as const) {
    it(`${fault}: StorageIoError, old version intact, no temporary file left`, async () => {
      const good = new LocalObjectStore({ dataDir });
      await good.put('snaps', 'live/cam1.jpg', Buffer.from('old version'));
      const store = new LocalObjectStore({ dataDir, fs: faultyFs(fault) });
      const err = await store
        .put('snaps', 'live/cam1.jpg', Buffer.alloc(100_000, 1))
        .catch((e: unknown) => e);
      assert.ok(err instanceof StorageIoError, String(err));
      assert.equal(
        err.reason,
        { 'enospc-mid-write': 'ENOSPC', 'fsync-eio': 'EIO', 'rename-eacces': 'EACCES' }[fault],
      );
      const fresh = await store.put('snaps', 'live/new.jpg', Buffer.from('n')).catch((e) => e);
      assert.ok(fresh instanceof StorageIoError, 'fails for new objects too');
      assert.equal((await good.get('snaps', 'live/cam1.jpg')).body.toString(), 'old version');
      assert.deepEqual(await filesUnder(path.join(dataDir, 'storage')), ['snaps/live/cam1.jpg']);
    });
  }

  it(
    'file size limit of the kernel (ulimit -f → EFBIG) in a real process: typed error, nothing partial',
    { skip: process.platform === 'win32' },
    async () => {
      const good = new LocalObjectStore({ dataDir });
      await good.put('snaps', 'live/cam1.jpg', Buffer.from('old version'));
      const moduleUrl = new URL('../src/storage/local-object-store.ts', import.meta.url).href;
      const script = path.join(dataDir, 'child.mjs');
      await writeFile(
        script,
        `import { LocalObjectStore } from ${JSON.stringify(moduleUrl)};
const store = new LocalObjectStore({ dataDir: process.argv[2] });
try {
  await store.put('snaps', 'live/cam1.jpg', Buffer.alloc(4 << 20, 7));
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  console.log(JSON.stringify({ name: e.name, code: e.code, reason: e.reason }));
}
`,
      );
      const { stdout } = await run(
        '/bin/sh',
        [
          '-c',
          'ulimit -f 512 && exec "$0" "$@"',
          process.execPath,
          '--import',
          'tsx',
          script,
          dataDir,
        ],
        { cwd: repoRoot },
      );
      assert.deepEqual(JSON.parse(stdout.trim()), {
        name: 'StorageIoError',
        code: 'STORAGE_IO',
        reason: 'EFBIG',
      });
      assert.equal((await good.get('snaps', 'live/cam1.jpg')).body.toString(), 'old version');
      assert.deepEqual(await filesUnder(path.join(dataDir, 'storage')), ['snaps/live/cam1.jpg']);
    },
  );
});
