/**
 * `smmu-sva-model/explorer`: exhaustive breadth-first exploration of a configuration under a
 * driver variant, with every invariant checked and a shortest counterexample per violated
 * invariant (spec/explorer.md).
 *
 * ```ts
 * import { defaultConfig } from 'smmu-sva-model';
 * import { explore, report, formatCounterexampleText } from 'smmu-sva-model/explorer';
 *
 * const rep = report(await explore(defaultConfig, 'v6', { symmetry: true, maxStates: 1_000_000, workers: 1 }));
 * for (const cx of rep.counterexamples) console.log(formatCounterexampleText(defaultConfig, 'v6', cx));
 * ```
 * @module
 */
export { explore, type ExploreOptions, type ExploreResult, type FamilyFigures, type Found, type Graph, type Progress } from './explore.ts';
export { exploreFamily, type FamilyOptions } from './familySearch.ts';
export { familyModes, familyPlan, type FamilyMode } from './familyPlan.ts';
export { exploreVariants, type ParallelOptions } from './variants.ts';
export { counterexample, type Counterexample, type TraceStep } from './counterexample.ts';
export { expectedFor, report, sameSet, toJson, violatedSet, type VariantReport } from './verdict.ts';
export { formatCounterexampleMermaid, formatCounterexampleText } from './format.ts';
export { shortestStory, staleAtcStory, type StoryGoal } from './story.ts';
