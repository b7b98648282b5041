#!/usr/bin/env node
// The `mintid` command: runs the compiled CLI (dist/, built by `npm run build`, which
// `npm install` runs through `prepare`). Commands load their dependencies lazily.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('mintid: the compiled CLI is missing (dist/). Run `npm run build` in the mintid-credentials folder.\n');
  process.exit(1);
}
await import(main.href);
