// Temporary directories for what the explorer spills to disk (queue.ts: frontier segments,
// successors.ts: successor lists): made under `base` (default os.tmpdir()), removed by their owner's
// close(), and by one 'exit' handler for any still there when the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const liveDirs = new Set<string>();
let exitHook = false;

/** A fresh directory `base/prefixXXXXXX`, removed at process exit unless removeSpillDir() came first. */
export function makeSpillDir(base: string | undefined, prefix: string): string {
  const dir = mkdtempSync(join(base ?? tmpdir(), prefix));
  liveDirs.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => { for (const d of liveDirs) rmSync(d, { recursive: true, force: true }); });
  }
  return dir;
}

export function removeSpillDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}
