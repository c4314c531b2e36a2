#!/usr/bin/env node
'use strict';
// The `livesnap` command. A CommonJS entry on purpose: libuv's thread pool (shared by file
// I/O and node-av's decoding) is sized from UV_THREADPOOL_SIZE when first used, and an ES
// module entry uses it while loading, before any of our code could set it.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16';
const compiled = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('livesnap is not built yet: run `npm run build` (npm install does it).\n');
  process.exit(1);
}
import(pathToFileURL(compiled).href).catch((err) => {
  process.stderr.write(`livesnap: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
