// Copies of a State with one element of one collection changed: the nested updates the
// transitions make, written once.
import { replaceAt } from './sorted.ts';
import { bondWith, domainWith, faultWith, mmWith, notifierWith, stateWith, type Bond, type DomainState, type Mm, type Notifier, type PendingFault, type State } from './state.ts';

/** The state with mm `mm` patched. */
export function withMm(s: State, mm: number, patch: Partial<Mm>): State {
  return stateWith(s, { mms: replaceAt(s.mms, mm, mmWith(s.mms[mm]!, patch)) });
}

/** The state with page `page` of mm `mm` set to `pte` (a frame or a PTE_* marker). */
export function withPte(s: State, mm: number, page: number, pte: number): State {
  return withMm(s, mm, { pages: replaceAt(s.mms[mm]!.pages, page, pte) });
}

/** The state with bond `i` (an index into s.bonds) patched. */
export function withBond(s: State, i: number, patch: Partial<Bond>): State {
  return stateWith(s, { bonds: replaceAt(s.bonds, i, bondWith(s.bonds[i]!, patch)) });
}

/** The state with notifier `i` (an index into s.notifiers) patched. */
export function withNotifier(s: State, i: number, patch: Partial<Notifier>): State {
  return stateWith(s, { notifiers: replaceAt(s.notifiers, i, notifierWith(s.notifiers[i]!, patch)) });
}

/** The state with pending fault `i` (an index into s.faults) patched. */
export function withFault(s: State, i: number, patch: Partial<PendingFault>): State {
  return stateWith(s, { faults: replaceAt(s.faults, i, faultWith(s.faults[i]!, patch)) });
}

/** The state with domain `d` patched. */
export function withDomain(s: State, d: number, patch: Partial<DomainState>): State {
  return stateWith(s, { domains: replaceAt(s.domains, d, domainWith(s.domains[d]!, patch)) });
}

/** The state with SVA enabled or disabled on `dev`. */
export function withSvaEnabled(s: State, dev: number, on: boolean): State {
  return stateWith(s, { svaEnabled: replaceAt(s.svaEnabled, dev, on) });
}
