/**
 * `smmu-sva-model/vectors`: the generated test vectors (README, "Generated tests"). One JSON
 * object per line of `generated/vectors/<config>.<variant>.jsonl`, shipped in this package
 * ({@link vectorsDir}); spec/schema/vector.schema.json describes the format for other languages.
 *
 * ```ts
 * import { readVectorFile, vectorsDir } from 'smmu-sva-model/vectors';
 * const vectors = readVectorFile(`${vectorsDir}/tiny.v6.jsonl`);   // Either<string[], Vector[]>
 * ```
 * @module
 */
export { readVectorFile, readVectorLines, vectorCodec, vectorLine, type Vector, type VectorAt } from '../codecs/vector.ts';
export { configsDir, packageRoot, vectorsDir } from '../codecs/files.ts';
export { VectorReplayer, expectedOf } from '../conform/replay.ts';
export { generateVectors, replayVector, replayVectors, vectorConfig, type GenerateSpec } from '../explorer/vectors.ts';
