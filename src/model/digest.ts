// A canonical text encoding of a State (fixed field order, independent of how objects were
// built) and its digest, which test vectors and the conformance protocol carry.
import { createHash } from 'node:crypto';
import type { State } from './state.ts';

const b = (x: boolean) => (x ? 1 : 0);

/** Canonical encoding: every field in a fixed order; arrays are already in canonical order. */
export function canonicalState(s: State): string {
  const parts: string[] = [];
  parts.push(`ste:${s.ste.map((e) => `${e.config === 'translate' ? 't' : 'a'},${e.domain},${b(e.s1stalld)},${b(e.eats)}`).join(';')}`);
  parts.push(`dom:${s.domains.map((d) => `${b(d.freed)},${d.privateAsid},[${d.cds.map(({ ssid, cd }) => `${ssid}:${b(cd.v)}${b(cd.epd0)}${b(cd.r)}${b(cd.s)}${b(cd.a)}${b(cd.aset)},${cd.asid},${cd.ttb0}`).join(';')}]`).join(';')}`);
  parts.push(`tlb:${s.tlb.map((e) => `${e.asid},${e.page},${e.frame}`).join(';')}`);
  parts.push(`atc:${s.atc.map((e) => `${e.dev},${e.pasid},${e.page},${e.frame}`).join(';')}`);
  parts.push(`flt:${s.faults.map((f) => `${f.via},${f.dev},${f.group},${f.pasid},${f.page},${b(f.write)},${b(f.afterRelease)},${f.status}`).join(';')}`);
  parts.push(`sva:${s.svaEnabled.map(b).join('')}`);
  parts.push(`bond:${s.bonds.map((x) => `${x.dev},${x.mm},${x.refs},${b(x.afterExit)}`).join(';')}`);
  parts.push(`mn:${s.notifiers.map((n) => `${n.domain},${n.mm},${n.refs},${b(n.cleared)},${b(n.afterExit)},${n.mmListPos}`).join(';')}`);
  parts.push(`free:${s.deferredFrees.map((f) => `${f.domain},${f.mm},${b(f.inDomainOps)}`).join(';')}`);
  parts.push(`mm:${s.mms.map((m) => `${b(m.alive)},${m.pasid},${m.pasidRefs},${m.ctxDescRefs},[${m.pages.join(',')}]`).join(';')}`);
  return parts.join('|');
}

/** SHA-256 of the canonical encoding, first 16 hex digits (64 bits). */
export function stateDigest(s: State): string {
  return createHash('sha256').update(canonicalState(s)).digest('hex').slice(0, 16);
}
