#!/usr/bin/env node
// The `smmu-sva` command. An installed copy runs the compiled JavaScript of dist/ (no tsx). In a
// checkout of the repository with its dev dependencies (src/ and tsx present), it runs the
// TypeScript sources through tsx instead, so that it never runs a stale build.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let tsx;
if (existsSync(sources)) {
  try { tsx = await import('tsx/esm/api'); } catch { tsx = undefined; }
}
if (tsx) {
  tsx.register();
  await import(sources.href);
} else if (existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  await import('../dist/cli/main.js');
} else {
  process.stderr.write('smmu-sva: dist/cli/main.js not found: run `npm run build` first (or `npm install` the dev dependencies to run the sources)\n');
  process.exitCode = 2;
}
