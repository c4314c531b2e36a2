import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sweepTemporaryFiles } from './temp-sweep.js';

describe('sweepTemporaryFiles', () => {
  it('removes old prefixed files at every level, keeps recent ones, objects and links', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'livesnap-sweep-'));
    const outside = await mkdtemp(path.join(tmpdir(), 'livesnap-sweep-outside-'));
    try {
      const deep = path.join(root, 'bucket', 'live', 'cam1');
      await mkdir(deep, { recursive: true });
      const old = (Date.now() - 2 * 3600_000) / 1000;
      const files = {
        staleTop: path.join(root, 'bucket', '.lstmp-aaaa'),
        staleDeep: path.join(deep, '.lstmp-bbbb'),
        fresh: path.join(deep, '.lstmp-cccc'),
        object: path.join(deep, '1.jpg'),
        oldObject: path.join(deep, '2.jpg'),
      };
      for (const f of Object.values(files)) await writeFile(f, 'x');
      for (const f of [files.staleTop, files.staleDeep, files.oldObject]) await utimes(f, old, old);
      // A link into another tree is not followed, whatever it points at.
      await writeFile(path.join(outside, '.lstmp-dddd'), 'x');
      await utimes(path.join(outside, '.lstmp-dddd'), old, old);
      await symlink(outside, path.join(root, 'bucket', 'link'));

      const result = await sweepTemporaryFiles(root, { prefix: '.lstmp-', olderThanMs: 3600_000 });
      assert.deepEqual(result, { removed: 2, failed: 0 });
      assert.deepEqual((await readdir(deep)).sort(), ['.lstmp-cccc', '1.jpg', '2.jpg']);
      assert.deepEqual(await readdir(outside), ['.lstmp-dddd']);
      const stopped = new AbortController();
      stopped.abort();
      await writeFile(files.staleDeep, 'x');
      await utimes(files.staleDeep, old, old);
      assert.deepEqual(
        await sweepTemporaryFiles(root, {
          prefix: '.lstmp-',
          olderThanMs: 3600_000,
          signal: stopped.signal,
        }),
        { removed: 0, failed: 0 },
      );
      assert.deepEqual(
        await sweepTemporaryFiles(path.join(root, 'missing'), {
          prefix: '.lstmp-',
          olderThanMs: 0,
        }),
        { removed: 0, failed: 0 },
      );
    } finally {
      await rm(root, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });
});
