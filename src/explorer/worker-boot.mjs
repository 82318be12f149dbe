// Worker bootstrap: registers tsx's ESM loader in this thread, then loads the TypeScript worker
// (the same way tools/smmu-sva.mjs starts the CLI). Works under tsx and under vitest alike.
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
