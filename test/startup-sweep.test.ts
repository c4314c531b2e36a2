import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startApp, waitFor } from './support/app-harness.js';

test('a start removes what a crash left: half-written objects and downloaded job inputs', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'livesnap-sweep-e2e-'));
  const objects = join(dataDir, 'storage', 'snaps', 'live', 'cam1');
  const jobsTmp = join(dataDir, 'tmp', 'jobs');
  await mkdir(objects, { recursive: true });
  await mkdir(jobsTmp, { recursive: true });
  const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000;
  const stale = join(objects, '.lstmp-0123456789abcdef');
  const recent = join(objects, '.lstmp-fedcba9876543210');
  const object = join(objects, '1.jpg');
  const input = join(jobsTmp, 'input-5b1e0d0c');
  for (const f of [stale, recent, object, input]) await writeFile(f, 'x');
  for (const f of [stale, object]) await utimes(f, twoHoursAgo, twoHoursAgo);

  const h = await startApp({}, { dataDir });
  try {
    assert.equal(existsSync(input), false, 'job inputs are removed before jobs start');
    await waitFor(
      'the stale temp file to be removed',
      () => (existsSync(stale) ? undefined : true),
      5000,
    );
    assert.ok(existsSync(recent), 'a recent temp file may belong to a write in progress');
    assert.ok(existsSync(object), 'objects are never touched');
  } finally {
    await h.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
