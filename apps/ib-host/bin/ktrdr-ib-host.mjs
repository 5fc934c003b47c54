#!/usr/bin/env node
// npm links this file into node_modules/.bin when it installs, before anything is built (a
// link to dist/ would be skipped then, and `npx ktrdr-ib-host` would not exist); it runs the build.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  console.error(
    'ktrdr-ib-host: not built yet; run `npm run build` (or `npm start`) in the repository first',
  );
  process.exit(1);
}
await import(built.href);
