// Worker bootstrap: registers tsx's ESM loader in this thread, then loads the TypeScript worker
// module named by the Worker's argv (default ./worker.ts, the chunk expander), the same way
// tools/smmu-sva.mjs starts the CLI. Works under tsx and under vitest alike.
import { register } from 'tsx/esm/api';
register();
await import(process.argv[2] ?? './worker.ts');
