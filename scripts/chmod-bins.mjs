#!/usr/bin/env node
// tsc writes bins as plain files; npm only marks them executable when it links them at
// install time, before they exist. Mark every workspace bin executable after a build.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const workspace of workspaces) {
  const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8'));
  for (const bin of Object.values(manifest.bin ?? {})) {
    const path = join(root, workspace, bin);
    if (existsSync(path)) chmodSync(path, 0o755);
    else if (!existsSync(dirname(path)))
      console.warn(`chmod-bins: ${workspace} has no build output yet`);
  }
}
