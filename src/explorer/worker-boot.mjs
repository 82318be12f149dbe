// Worker bootstrap: registers tsx's ESM loader in this thread, then loads the TypeScript worker
// module named by the Worker's argv (default ./worker.ts, the chunk expander), the same way
// tools/smmu-sva.mjs starts the CLI from the sources. Works under tsx and under vitest alike; the
// compiled workers (dist/) start without it (src/explorer/thread.ts).
import { register } from 'tsx/esm/api';
register();
await import(process.argv[2] ?? './worker.ts');
