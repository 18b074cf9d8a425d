#!/usr/bin/env node
// The `nextx` command. This file is committed (with its exec bit), not built: npm links it into node_modules/.bin at
// install time, before any build, and no build or nx cache restore rewrites it. It runs the built CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('nextx: @nextx/core is not built yet (dist/cli/main.js is missing); run `npm run build` in the repository root\n');
  process.exit(1);
}
await import(main.href);
