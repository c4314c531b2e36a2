#!/usr/bin/env node
'use strict';
// The `livesnap` command. A CommonJS entry on purpose: libuv's thread pool (shared by file
// I/O and node-av's decoding) is sized from UV_THREADPOOL_SIZE when first used, and an ES
// module entry uses it while loading, before any of our code could set it.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// Each live snapshot job's pulled source holds a pool thread while FFmpeg waits on the
// network, so the pool is sized for the job limit (LIVESNAP_LIVE_JOBS_MAX_ACTIVE, default
// 100) plus room for decoding and file I/O. Idle threads cost little memory.
if (!process.env.UV_THREADPOOL_SIZE) {
  const jobs = Number(process.env.LIVESNAP_LIVE_JOBS_MAX_ACTIVE) || 100;
  process.env.UV_THREADPOOL_SIZE = String(Math.min(1024, jobs + 16));
}
const compiled = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('livesnap is not built yet: run `npm run build` (npm install does it).\n');
  process.exit(1);
}
import(pathToFileURL(compiled).href).catch((err) => {
  process.stderr.write(`livesnap: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
