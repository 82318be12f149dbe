#!/usr/bin/env node
// The `smmu-sva` command. An installed copy runs the compiled JavaScript of dist/ (no tsx). In a
// checkout of the repository with its dev dependencies (src/ and tsx present), it runs the
// TypeScript sources through tsx instead, so that it never runs a stale build. `explore` first
// runs itself again with V8's heap flags (bin/heapFlags.mjs) and, on Linux, glibc's huge-page
// tunable (bin/hugePages.mjs): bin/runAgain.mjs.
import { existsSync } from 'node:fs';
import { hostFacts } from './hugePages.mjs';
import { explorePlan, runAgain } from './runAgain.mjs';

async function runHere() {
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
}

const plan = explorePlan({ argv: process.argv.slice(1), execArgv: process.execArgv, env: process.env, facts: hostFacts() });
const rerun = plan === undefined ? undefined : await runAgain(plan.args, plan.env);
if (rerun === undefined) await runHere(); else process.exitCode = rerun;
