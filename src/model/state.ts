// The model's state: SMMU hardware, driver bookkeeping and process memory, all immutable.
// Every collection is an array kept in a canonical order (documented per field), so that equal
// states are structurally equal and encode to the same bytes.

/** A page-table entry of an mm: a frame number, or one of these markers. */
export const PTE_NOT_IN_VMA = -2;
export const PTE_UNMAPPED = -1;

/** TTB0 of the private (non-SVA) context at SSID 0 of a domain: not a process page table. */
export const TTB0_PRIVATE = -1;

// ---------------------------------------------------------------- hardware

/** Stream table entry of a device (IHI 0070, 5.2). */
export interface Ste {
  readonly config: 'translate' | 'abort';
  /** STE.S1ContextPtr: the domain whose CD table this STE points at. */
  readonly domain: number;
  /** STE.S1STALLD: stall disabled for this stream. */
  readonly s1stalld: boolean;
  /** STE.EATS: ATS translation requests accepted. */
  readonly eats: boolean;
}

/** Context descriptor (IHI 0070, 5.4). */
export interface Cd {
  readonly v: boolean;
  /** TCR.EPD0: walks of TTB0 disabled; a TLB miss in the TTB0 range is a translation fault. */
  readonly epd0: boolean;
  /** Record faults (R) and stall faults (S). */
  readonly r: boolean;
  readonly s: boolean;
  /** CD.A: hardware access flag management; the driver always sets it. */
  readonly a: boolean;
  /** CD.ASET: the ASID set is private, outside broadcast TLB maintenance. The driver sets it for
   *  private (non-SVA) contexts only, so that BTM reaches the TLB entries of shared mms. */
  readonly aset: boolean;
  readonly asid: number;
  /** TTB0: index of the process whose page table this CD points at, or TTB0_PRIVATE. */
  readonly ttb0: number;
}

/** One entry of a domain's CD table, sorted by ssid. */
export interface CdSlot {
  readonly ssid: number;
  readonly cd: Cd;
}

/** SMMU TLB entry, tagged by ASID; sorted by (asid, page). */
export interface TlbEntry {
  readonly asid: number;
  readonly page: number;
  readonly frame: number;
}

/** Device ATC entry, tagged by PASID; sorted by (dev, pasid, page). */
export interface AtcEntry {
  readonly dev: number;
  readonly pasid: number;
  readonly page: number;
  readonly frame: number;
}

/**
 * A recoverable I/O page fault in flight: a stalled transaction (group = STAG) or a PRI page
 * request (group = PRGI). Sorted by (dev, group).
 */
export interface PendingFault {
  readonly via: 'stall' | 'pri';
  readonly dev: number;
  readonly group: number;
  readonly pasid: number;
  readonly page: number;
  readonly write: boolean;
  /** The fault was reported after its mm exited (release-answers-invalid). */
  readonly afterRelease: boolean;
  /** 'pending' until the IOPF handler ran, then the response it chose. */
  readonly status: 'pending' | 'success' | 'invalid';
}

// ---------------------------------------------------------------- driver

/** arm_smmu_bond: one per (device, mm); sorted by (dev, mm). */
export interface Bond {
  readonly dev: number;
  readonly mm: number;
  readonly refs: number;
  /** Always false: no notifier is ever registered after its mm exited (DRV-MN-REGISTER); kept
   *  because the state encodings (PROTO-DIGEST, the explorer's) carry it. */
  readonly afterExit: boolean;
}

/**
 * arm_smmu_mmu_notifier: one per (domain, mm); sorted by (domain, mm, afterExit). A bind that
 * would register a second one on an exited mm BUGs instead (DRV-MN-REGISTER). Callbacks walk an
 * mm's notifiers in mm-list order, newest registered first (DRV-MN-ORDER).
 */
export interface Notifier {
  readonly domain: number;
  readonly mm: number;
  readonly refs: number;
  /** release() ran: the CD was quiesced and the TLB invalidated. */
  readonly cleared: boolean;
  /** Always false (see Bond.afterExit). */
  readonly afterExit: boolean;
  /** Position in mm->notifier_subscriptions->list (DRV-MN-ORDER): 0 = the head, the newest
   *  registered; the linked notifiers of an mm hold 0..k-1. 0 once unlinked by exit_mmap. */
  readonly mmListPos: number;
}

/** A notifier put to zero whose free callback (SRCU) has not run yet; sorted by (domain, mm). */
export interface DeferredFree {
  readonly domain: number;
  readonly mm: number;
  /** v6: the ops live in the domain, so the SRCU callback reads the domain and drops the ctx desc
   *  reference there; upstream: the ops are static and the ctx desc was dropped at put. */
  readonly inDomainOps: boolean;
}

export interface DomainState {
  readonly freed: boolean;
  /** ASID of the domain's private context (SSID 0), from arm_smmu_asid_xa. */
  readonly privateAsid: number;
  readonly cds: readonly CdSlot[];
}

// ---------------------------------------------------------------- process memory

export interface Mm {
  readonly alive: boolean;
  /** mm->pasid, 0 when none. */
  readonly pasid: number;
  /** ioasid refcount of mm->pasid: one per bond that allocated or got it. */
  readonly pasidRefs: number;
  /** arm_smmu_ctx_desc refcount for this mm (one per notifier still holding it); 0 = no ctx desc. */
  readonly ctxDescRefs: number;
  /** Page table: frame per VA page, or PTE_UNMAPPED / PTE_NOT_IN_VMA. */
  readonly pages: readonly number[];
}

export interface State {
  // hardware
  readonly ste: readonly Ste[];
  readonly domains: readonly DomainState[];
  readonly tlb: readonly TlbEntry[];
  readonly atc: readonly AtcEntry[];
  readonly faults: readonly PendingFault[];
  // driver
  readonly svaEnabled: readonly boolean[];
  readonly bonds: readonly Bond[];
  readonly notifiers: readonly Notifier[];
  readonly deferredFrees: readonly DeferredFree[];
  // process memory
  readonly mms: readonly Mm[];
}

// ---------------------------------------------------------------- copies with changed fields

// One builder per record kind, each a single object literal (docs/performance.md, "What was
// measured and kept", says why the explorer wants that).

export function stateWith(s: State, patch: Partial<State>): State {
  return {
    ste: patch.ste ?? s.ste, domains: patch.domains ?? s.domains, tlb: patch.tlb ?? s.tlb, atc: patch.atc ?? s.atc,
    faults: patch.faults ?? s.faults, svaEnabled: patch.svaEnabled ?? s.svaEnabled, bonds: patch.bonds ?? s.bonds,
    notifiers: patch.notifiers ?? s.notifiers, deferredFrees: patch.deferredFrees ?? s.deferredFrees, mms: patch.mms ?? s.mms,
  };
}

export function steWith(e: Ste, patch: Partial<Ste>): Ste {
  return { config: patch.config ?? e.config, domain: patch.domain ?? e.domain, s1stalld: patch.s1stalld ?? e.s1stalld, eats: patch.eats ?? e.eats };
}

export function cdWith(cd: Cd, patch: Partial<Cd>): Cd {
  return {
    v: patch.v ?? cd.v, epd0: patch.epd0 ?? cd.epd0, r: patch.r ?? cd.r, s: patch.s ?? cd.s, a: patch.a ?? cd.a,
    aset: patch.aset ?? cd.aset, asid: patch.asid ?? cd.asid, ttb0: patch.ttb0 ?? cd.ttb0,
  };
}

export function faultWith(f: PendingFault, patch: Partial<PendingFault>): PendingFault {
  return {
    via: patch.via ?? f.via, dev: patch.dev ?? f.dev, group: patch.group ?? f.group, pasid: patch.pasid ?? f.pasid,
    page: patch.page ?? f.page, write: patch.write ?? f.write, afterRelease: patch.afterRelease ?? f.afterRelease,
    status: patch.status ?? f.status,
  };
}

export function bondWith(b: Bond, patch: Partial<Bond>): Bond {
  return { dev: patch.dev ?? b.dev, mm: patch.mm ?? b.mm, refs: patch.refs ?? b.refs, afterExit: patch.afterExit ?? b.afterExit };
}

export function notifierWith(n: Notifier, patch: Partial<Notifier>): Notifier {
  return {
    domain: patch.domain ?? n.domain, mm: patch.mm ?? n.mm, refs: patch.refs ?? n.refs,
    cleared: patch.cleared ?? n.cleared, afterExit: patch.afterExit ?? n.afterExit, mmListPos: patch.mmListPos ?? n.mmListPos,
  };
}

export function domainWith(d: DomainState, patch: Partial<DomainState>): DomainState {
  return { freed: patch.freed ?? d.freed, privateAsid: patch.privateAsid ?? d.privateAsid, cds: patch.cds ?? d.cds };
}

export function mmWith(m: Mm, patch: Partial<Mm>): Mm {
  return {
    alive: patch.alive ?? m.alive, pasid: patch.pasid ?? m.pasid, pasidRefs: patch.pasidRefs ?? m.pasidRefs,
    ctxDescRefs: patch.ctxDescRefs ?? m.ctxDescRefs, pages: patch.pages ?? m.pages,
  };
}
