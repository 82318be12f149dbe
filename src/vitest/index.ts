/**
 * `smmu-sva-model/vitest`: the generated test vectors as vitest tests for your own engine.
 *
 * Implement {@link Engine} (the interface the conformance protocol's serve loop drives: reset to a
 * configuration and variant, step an event, optionally save and restore snapshots), then, in a
 * test file of your project:
 *
 * ```ts
 * import { describeVectors } from 'smmu-sva-model/vitest';
 * import { MyEngine } from '../src/my-engine.js';
 *
 * describeVectors('my engine', () => new MyEngine());
 * ```
 *
 * Every vector shipped with the package (generated/vectors/*.jsonl, see the README) becomes one
 * test named by its id, in one `describe` block per file (`<config>.<variant>.jsonl`); a failing
 * test says what was expected and what came. vitest is a peer dependency of this subpath only.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import type { Engine } from '../conform/engine.ts';
import type { Config } from '../model/config.ts';
import type { VariantName } from '../model/variant.ts';
import { vectorConfig } from '../explorer/vectors.ts';
import { listVectorFiles, readVectorFile } from '../codecs/vector.ts';
import { configsDir as shippedConfigs, vectorsDir as shippedVectors } from '../codecs/files.ts';
import { VectorReplayer } from '../conform/replay.ts';

export type { Engine, StepAnswer } from '../conform/engine.ts';

/** Which vectors {@link describeVectors} turns into tests, and where it finds them. */
export interface VectorSuiteOptions {
  /** Directory of `*.jsonl` vector files (default: the vectors shipped in this package). */
  readonly dir?: string;
  /** Directory of the configurations the vectors name (default: the package's spec/configs/). */
  readonly configsDir?: string;
  /** Only these configurations (the first part of the file name), e.g. `['tiny', 'tiny-alloc']`. */
  readonly configs?: readonly string[];
  /** Only these driver variants. */
  readonly variants?: readonly VariantName[];
  /** Only the first N vectors of each file, for a quick run. */
  readonly maxPerFile?: number;
  /** Use the engine's save/restore, when it has them, to replay a shared path once (default true). */
  readonly snapshots?: boolean;
}

/** The vector files `options` selects, sorted by name; throws a message naming the directory when there are none. */
export function vectorFiles(options: VectorSuiteOptions = {}): string[] {
  const dir = options.dir ?? shippedVectors;
  const listed = listVectorFiles(dir);
  if (E.isLeft(listed)) throw new Error(`smmu-sva-model/vitest: ${listed.left}; expected a directory of *.jsonl test vectors`);
  const names = listed.right;
  const picked = names.filter((f) => {
    const [config, variant] = f.replace(/\.jsonl$/, '').split(/\.(?=[^.]+$)/);
    return (!options.configs || options.configs.includes(config!)) && (!options.variants || options.variants.includes(variant as VariantName));
  });
  if (picked.length === 0) throw new Error(`smmu-sva-model/vitest: no vector file in ${dir} matches${options.configs ? ` configs [${options.configs.join(', ')}]` : ''}${options.variants ? ` variants [${options.variants.join(', ')}]` : ''}; expected <config>.<variant>.jsonl files`);
  return picked.map((f) => join(dir, f));
}

/**
 * Declare one vitest test per test vector, run on engines made by `makeEngine` (one engine per
 * vector file). Call it at the top level of a test file, or inside a `describe`.
 */
export function describeVectors(name: string, makeEngine: () => Engine, options: VectorSuiteOptions = {}): void {
  const files = vectorFiles(options);
  const configs = new Map<string, Config>();
  describe(name, () => {
    for (const file of files) {
      const read = readVectorFile(file);
      if (E.isLeft(read)) throw new Error(`smmu-sva-model/vitest: ${read.left.join('\n')}`);
      const vectors = options.maxPerFile !== undefined ? read.right.slice(0, options.maxPerFile) : read.right;
      describe(file.slice(file.lastIndexOf('/') + 1), () => {
        const replayers = new Map<string, VectorReplayer>();
        for (const v of vectors) {
          it(v.id, () => {
            let config = configs.get(v.config);
            if (!config) {
              const c = vectorConfig(v.config, options.configsDir ?? shippedConfigs);
              if (E.isLeft(c)) throw new Error(`${v.id}: ${c.left.join('; ')}`);
              config = c.right;
              configs.set(v.config, config);
            }
            let replayer = replayers.get(v.config);
            if (!replayer) { replayer = new VectorReplayer(makeEngine(), config, options.snapshots ?? true); replayers.set(v.config, replayer); }
            const why = replayer.check(v);
            if (why !== undefined) throw new Error(why);
          });
        }
      });
    }
  });
}
