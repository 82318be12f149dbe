// Replaying test vectors on an engine (src/conform/engine.ts, the interface the protocol's serve
// loop drives): reset to the vector's configuration and variant, apply its path, then its event,
// and compare the answer with the recorded one. Engines that keep snapshots are reset and replay
// a path once for all the vectors that share it.
import * as E from 'fp-ts/lib/Either.js';
import { describeError } from '../model/error.ts';
import type { Config } from '../model/config.ts';
import type { Engine } from './engine.ts';
import { mismatch, type Actual } from './compare.ts';
import type { Expected } from './oracle.ts';
import type { Vector } from '../codecs/vector.ts';

const SLOT = 0;

/** What a vector says the engine must answer to its event. */
export function expectedOf(v: Vector): Expected {
  return v.error !== undefined
    ? { tag: 'refused', error: v.error }
    : { tag: 'accepted', observations: v.observations ?? [], ...(v.digest !== undefined ? { digest: v.digest } : {}) };
}

/**
 * Checks vectors of one configuration on one engine, one at a time. Consecutive vectors with the
 * same path (as generated: all the events enabled in one state) reuse the engine's snapshot of
 * the state at the end of the path, when it offers save and restore.
 */
export class VectorReplayer {
  /** The path (as JSON) whose end state is in the engine's snapshot slot, if any. */
  private saved: string | undefined;

  /** `snapshots: false` resets and replays the path for every vector even when the engine could restore. */
  constructor(private readonly engine: Engine, private readonly config: Config, private readonly snapshots = true) {}

  /** Why the engine's answer to `v` differs from the recorded one (naming the vector), or undefined when it matches. */
  check(v: Vector): string | undefined {
    const key = `${v.variant} ${JSON.stringify(v.path)}`;
    const restored = this.saved === key && this.engine.restore?.(SLOT) === undefined;
    if (!restored) {
      this.saved = undefined;
      const why = this.engine.reset(this.config, v.variant);
      if (why !== undefined) return `${v.id}: the engine refused to reset to configuration ${v.config}, variant ${v.variant}: ${why}`;
      for (let i = 0; i < v.path.length; i++) {
        const r = this.engine.step(v.path[i]!);
        if (E.isLeft(r)) return `${v.id}: path event ${i + 1} of ${v.path.length} (${JSON.stringify(v.path[i])}) refused with ${r.left.tag} (${describeError(r.left)}); the model accepts it`;
      }
      if (this.snapshots && this.engine.save && this.engine.restore && this.engine.save(SLOT) === undefined) this.saved = key;
    }
    const r = this.engine.step(v.event);
    const actual: Actual = E.isLeft(r)
      ? { tag: 'refused', error: r.left.tag, detail: describeError(r.left) }
      : { tag: 'accepted', observations: r.right.observations, ...(r.right.digest !== undefined ? { digest: r.right.digest } : {}) };
    const expected = expectedOf(v);
    const why = mismatch(expected, actual);
    if (why === undefined) return undefined;
    const show = (x: Expected | Actual) => (x.tag === 'refused' ? `refused with ${x.error}` : JSON.stringify(x.observations));
    return [
      `${v.id}: ${why}`,
      `  configuration ${v.config}, variant ${v.variant}, after ${v.path.length} event(s): ${JSON.stringify(v.path)}`,
      `  event    ${JSON.stringify(v.event)}`,
      `  expected ${show(expected)}`,
      `  got      ${show(actual)}`,
    ].join('\n');
  }
}
