#!/usr/bin/env node
// The `livesnap` command: runs the compiled CLI (npm install / npm start build it into dist/).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('livesnap is not built yet: run `npm run build` (npm install does it).\n');
  process.exit(1);
}
await import(compiled.href);
