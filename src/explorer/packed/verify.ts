// Trust: a violation the packed engine finds is reported only once the reference reducer shows
// it too. Each counterexample is rebuilt by re-executing the path from the parent links on the
// reducer (src/explorer/counterexample.ts: initialState(), enabledEvents(), stepEnabled(), the
// successor's fingerprint matched at every step), and the reducer's checkInvariants /
// checkTransition must find the same invariant at the end, after exactly the number of events the
// packed engine counted. Otherwise the engines disagree: DisagreementError names where.
import { counterexample } from '../counterexample.ts';
import type { ExploreResult } from '../explore.ts';
import type { VariantReport } from '../verdict.ts';

export class DisagreementError extends Error {}

export function verifiedReport(result: ExploreResult): VariantReport {
  const where = `${result.variant} on ${result.config.name}`;
  const counterexamples = result.violations.map((f) => {
    let cx;
    try {
      cx = counterexample(result, f);
    } catch (err) {
      throw new DisagreementError(`the packed engine and the reducer disagree (${where}): the packed engine found ${f.invariant} after ${f.length} events, but on the reducer ${err instanceof Error ? err.message : String(err)}`);
    }
    if (cx.steps.length !== f.length) {
      throw new DisagreementError(`the packed engine and the reducer disagree (${where}): the packed engine found ${f.invariant} after ${f.length} events, the reducer's replay after ${cx.steps.length}`);
    }
    if (f.kind === 'liveness' && cx.state.faults.length === 0) {
      throw new DisagreementError(`the packed engine and the reducer disagree (${where}): faults-resolvable fails at a state with pending faults for the packed engine, but the reducer's replayed state has none`);
    }
    return cx;
  });
  return { result, counterexamples };
}
