// Matching a model trace record against a concrete one, under a hypothesis' bijections between
// the kernel's PASIDs and group numbers and the model's (spec/trace-checker.md, "Mapping").
// The model allocates the lowest free PASID and group number; the kernel's are arbitrary, so each
// hypothesis carries its own pairing, made when a value first appears (bind, fault) and dropped
// when the model frees it (last unbind, page response).
import type { Config } from '../model/config.ts';
import type { TraceRecord } from '../model/observation.ts';
import type { State } from '../model/state.ts';
import type { AddressMap } from './addressMap.ts';
import type { ConcreteRecord } from './parse.ts';

export interface Maps {
  /** [concrete, model] pairs, flattened, sorted by model PASID. */
  readonly pasids: readonly number[];
  /** [dev, model, concrete] triples, flattened, sorted by (dev, model group). */
  readonly groups: readonly number[];
}

export const emptyMaps: Maps = { pasids: [], groups: [] };

export function mapsKey(m: Maps): string {
  return `${m.pasids.join(',')}/${m.groups.join(',')}`;
}

export function concretePasid(m: Maps, model: number): number | undefined {
  for (let i = 0; i < m.pasids.length; i += 2) if (m.pasids[i + 1] === model) return m.pasids[i];
  return undefined;
}
export function modelPasid(m: Maps, concrete: number): number | undefined {
  for (let i = 0; i < m.pasids.length; i += 2) if (m.pasids[i] === concrete) return m.pasids[i + 1];
  return undefined;
}
export function concreteGroup(m: Maps, dev: number, model: number): number | undefined {
  for (let i = 0; i < m.groups.length; i += 3) if (m.groups[i] === dev && m.groups[i + 1] === model) return m.groups[i + 2];
  return undefined;
}
export function modelGroup(m: Maps, dev: number, concrete: number): number | undefined {
  for (let i = 0; i < m.groups.length; i += 3) if (m.groups[i] === dev && m.groups[i + 2] === concrete) return m.groups[i + 1];
  return undefined;
}

function withPasid(m: Maps, concrete: number, model: number): Maps | null {
  const c = concretePasid(m, model);
  const p = modelPasid(m, concrete);
  if (c === concrete && p === model) return m;
  if (c !== undefined || p !== undefined) return null;
  const pairs: [number, number][] = [];
  for (let i = 0; i < m.pasids.length; i += 2) pairs.push([m.pasids[i]!, m.pasids[i + 1]!]);
  pairs.push([concrete, model]);
  pairs.sort((a, b) => a[1] - b[1]);
  return { ...m, pasids: pairs.flat() };
}

function withNewGroup(m: Maps, dev: number, model: number, concrete: number): Maps | null {
  if (concreteGroup(m, dev, model) !== undefined || modelGroup(m, dev, concrete) !== undefined) return null;
  const t: [number, number, number][] = [];
  for (let i = 0; i < m.groups.length; i += 3) t.push([m.groups[i]!, m.groups[i + 1]!, m.groups[i + 2]!]);
  t.push([dev, model, concrete]);
  t.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { ...m, groups: t.flat() };
}

function withoutGroup(m: Maps, dev: number, model: number, concrete: number): Maps | null {
  if (concreteGroup(m, dev, model) !== concrete) return null;
  const groups: number[] = [];
  for (let i = 0; i < m.groups.length; i += 3) {
    if (m.groups[i] === dev && m.groups[i + 1] === model) continue;
    groups.push(m.groups[i]!, m.groups[i + 1]!, m.groups[i + 2]!);
  }
  return { ...m, groups };
}

/** Drop the PASID pairs whose model PASID no mm holds any more (after its last unbind). */
export function dropFreedPasids(m: Maps, s: State): Maps {
  let keep = true;
  for (let i = 1; i < m.pasids.length; i += 2) if (!s.mms.some((x) => x.pasid === m.pasids[i])) keep = false;
  if (keep) return m;
  const pasids: number[] = [];
  for (let i = 0; i < m.pasids.length; i += 2) if (s.mms.some((x) => x.pasid === m.pasids[i + 1])) pasids.push(m.pasids[i]!, m.pasids[i + 1]!);
  return { ...m, pasids };
}

/** prot bits the model decides: read (bit 0) and write (bit 1); exec and privileged are not modelled. */
const PROT_MODELLED = 0b0011;
/** Page request flags the model decides: PASID valid, last page, private data (not NEEDS_PASID, bit 3). */
const PRQ_FLAGS_MODELLED = 0b0111;
/** Unrecoverable fault flags the model decides: PASID valid and address valid (not FETCH_ADDR_VALID, bit 2). */
const UNRECOV_FLAGS_MODELLED = 0b0011;

/**
 * TRACE-UNRECOV-FIELDS: the fields of a dev_fault record the model fixes are compared; the ones it
 * does not are accepted whatever their value: the exec/privileged bits of prot, NEEDS_PASID of a
 * page request, and for an unrecoverable fault (type=1) its reason (kernels map event records to
 * IOMMU_FAULT_REASON_* differently), FETCH_ADDR_VALID and the group.
 */
function faultFieldsMatch(r: Extract<TraceRecord, { tp: 'dev_fault' }>, c: Extract<ConcreteRecord, { tp: 'dev_fault' }>): boolean {
  if ((r.prot & PROT_MODELLED) !== (c.prot & PROT_MODELLED)) return false;
  if (r.type === 1) return (r.flags & UNRECOV_FLAGS_MODELLED) === (c.flags & UNRECOV_FLAGS_MODELLED);
  return r.reason === c.reason && (r.flags & PRQ_FLAGS_MODELLED) === (c.flags & PRQ_FLAGS_MODELLED);
}

/**
 * Does model record r explain concrete record c? Returns the updated maps, or null.
 * `dev` is the index of c's device in the configuration (-1 when unknown).
 */
export function matchRecord(m: Maps, r: TraceRecord, c: ConcreteRecord, dev: number, addresses: AddressMap): Maps | null {
  if (r.tp !== c.tp) return null;
  switch (r.tp) {
    case 'smmu_bind_alloc':
    case 'smmu_unbind_free':
      return r.dev === dev ? withPasid(m, c.pasid, r.pasid) : null;
    case 'smmu_mm_release':
      return withPasid(m, c.pasid, r.pasid);
    case 'smmu_mm_invalidate': {
      const cc = c as Extract<ConcreteRecord, { tp: 'smmu_mm_invalidate' }>;
      if (addresses.pageOf(r.mm, cc.start) !== r.start || addresses.endOf(r.mm, cc.end) !== r.end) return null;
      return withPasid(m, cc.pasid, r.pasid);
    }
    case 'dev_fault': {
      const cc = c as Extract<ConcreteRecord, { tp: 'dev_fault' }>;
      if (r.dev !== dev || r.type !== cc.type || !faultFieldsMatch(r, cc)) return null;
      if (addresses.pageOf(r.mm, cc.addr) !== r.page) return null;
      const mp = withPasid(m, cc.pasid, r.pasid);
      // TRACE-UNRECOV-FIELDS: an unrecoverable fault has no group (the tracepoint prints 0) and no response
      if (r.type === 1) return mp;
      return mp && withNewGroup(mp, r.dev, r.group, cc.group);
    }
    case 'dev_page_response': {
      const cc = c as Extract<ConcreteRecord, { tp: 'dev_page_response' }>;
      if (r.dev !== dev || r.code !== cc.code) return null;
      const mp = withPasid(m, cc.pasid, r.pasid);
      return mp && withoutGroup(mp, r.dev, r.group, cc.group);
    }
  }
}

const hex16 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;
const hex = (v: bigint) => `0x${v.toString(16)}`;

/**
 * A model record in the kernel's text, with the hypothesis' concrete PASIDs and groups ("?" for
 * values the trace has not named yet) and concrete addresses. Same layout as formatRecord.
 */
export function displayRecord(config: Config, addresses: AddressMap, m: Maps, r: TraceRecord): string {
  const devName = (d: number) => config.devices[d]?.name ?? `dev${d}`;
  const pasid = String(concretePasid(m, r.pasid) ?? '?');
  switch (r.tp) {
    case 'smmu_bind_alloc':
    case 'smmu_unbind_free':
      return `${r.tp}: dev=${devName(r.dev)} pasid=${pasid}`;
    case 'smmu_mm_invalidate':
      return `smmu_mm_invalidate: pasid=${pasid} start=${hex(addresses.addrOf(r.mm, r.start))} end=${hex(addresses.addrOf(r.mm, r.end))}`;
    case 'smmu_mm_release':
      return `smmu_mm_release: pasid=${pasid}`;
    case 'dev_fault':
      return `dev_fault: IOMMU:${devName(r.dev)} type=${r.type} reason=${r.reason} addr=${hex16(addresses.addrOf(r.mm, r.page))} pasid=${pasid} group=${r.type === 1 ? r.group : (concreteGroup(m, r.dev, r.group) ?? '?')} flags=${r.flags.toString(16)} prot=${r.prot}`;
    case 'dev_page_response':
      return `dev_page_response: IOMMU:${devName(r.dev)} code=${r.code} pasid=${pasid} group=${concreteGroup(m, r.dev, r.group) ?? '?'}`;
  }
}
