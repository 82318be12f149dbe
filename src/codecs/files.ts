// Where the files this package reads at run time are: spec/configs/, spec/expected-verdicts.json
// and generated/vectors/, relative to the package root, from the TypeScript sources (src/vectors/)
// and from the compiled output (dist/vectors/) alike.
import { fileURLToPath } from 'node:url';

/** The package root: the repository checkout, or node_modules/smmu-sva-model when installed. */
export const packageRoot: string = fileURLToPath(new URL('../../', import.meta.url));

/** The shipped configurations, spec/configs/<name>.json (spec/configuration.md). */
export const configsDir: string = fileURLToPath(new URL('../../spec/configs/', import.meta.url));

/**
 * The generated test vectors, generated/vectors/<config>.<variant>.jsonl: shipped in the package
 * (written by `npm run gen` in a checkout).
 */
export const vectorsDir: string = fileURLToPath(new URL('../../generated/vectors/', import.meta.url));
