// Small helpers for the spec-ID tests: build configurations, run scripts, pick observations.
import * as E from 'fp-ts/lib/Either.js';
import { seedWideConfig, defaultOptions, type Config, type ModelOptions } from '../../src/model/config.ts';
import { configErrors } from '../../src/codecs/config.ts';
import type { ModelError } from '../../src/model/error.ts';
import { describeError } from '../../src/model/error.ts';
import type { AllocFailurePoint, Event } from '../../src/model/event.ts';
import { initialState } from '../../src/machine/initial.ts';
import { createModel, type Model } from '../../src/model/model.ts';
import type { Command, DmaResult, HwEvent, Observation, TraceRecord } from '../../src/model/observation.ts';
import type { State } from '../../src/model/state.ts';
import { step } from '../../src/machine/step.ts';
import { variants, type VariantName } from '../../src/model/variant.ts';
import type { Ctx } from '../../src/model/context.ts';

/** The default configuration with some options changed. */
export function withOptions(o: Partial<ModelOptions>, base: Config = seedWideConfig): Config {
  return { ...base, options: { ...defaultOptions, ...base.options, ...o } };
}

/** A configuration the decoder accepts, or the test stops: tests model only systems that can exist. */
export function legal(c: Config): Config {
  const errs = configErrors(c);
  if (errs.length) throw new Error(`test configuration "${c.name}" is one the decoder refuses:\n${errs.join('\n')}`);
  return c;
}

/** The default configuration with the SMMU features changed (a system the decoder accepts). */
export function withSmmu(smmu: Partial<Config['smmu']>, base: Config = seedWideConfig): Config {
  return legal({ ...base, smmu: { ...base.smmu, ...smmu } });
}

/**
 * STALL_MODEL forced (SMMU_IDR0.STALL_MODEL 0b10) on the default shape, with device 0 a platform
 * device without ATS, PRI or "dma-can-stall" (INIT-PCI: no PCIe function behind a stall-forced
 * SMMU, IHI 0070 6.3.1). Under STALL_FORCE the driver makes every master stall_enabled, so both
 * devices stall; device 1 is the default's stalling platform device in dom1.
 */
export const stallForced: Config = withSmmu({ stallModel: 'forced' }, {
  ...seedWideConfig,
  name: 'seed-wide-stall-forced',
  devices: [{ name: 'dma-plat0', bus: 'platform', ats: false, pri: false, stall: false, ssidBits: 20, domain: 0 }, seedWideConfig.devices[1]!],
});

/** The default shape: the PCIe device (0) in dom0, the stalling platform device (1) in dom1. */
export const twoDomains: Config = seedWideConfig;

/**
 * Two PCIe functions with ATS+PRI in ONE stage-1 domain (spec/configs/shared-domain.json at full
 * width), resolving page requests through IOPF in every variant.
 */
export const sharedDomain: Config = {
  ...seedWideConfig,
  name: 'shared-domain',
  domains: [{ name: 'dom0', stage: 1 }],
  devices: [seedWideConfig.devices[0]!, { ...seedWideConfig.devices[0]!, name: '0000:00:04.0' }],
  options: { ...seedWideConfig.options, priHandling: 'iopf' },
};

export interface Run {
  readonly m: Model;
  readonly state: State;
  /** Observations of each step. */
  readonly perStep: readonly (readonly Observation[])[];
  /** Observations of the last step. */
  readonly last: readonly Observation[];
  readonly states: readonly State[];
}

/** Run events from the initial state (or `from`); a refused event fails the test with its reason. */
export function run(config: Config, variant: VariantName, events: readonly Event[], from?: State): Run {
  const m = createModel(config, variant);
  let s = from ?? initialState(config);
  const perStep: Observation[][] = [];
  const states: State[] = [s];
  events.forEach((e, i) => {
    const r = step(m, s, e);
    if (E.isLeft(r)) throw new Error(`event ${i} (${JSON.stringify(e)}) refused: ${describeError(r.left)}`);
    perStep.push([...r.right.observations]);
    s = r.right.state;
    states.push(s);
  });
  return { m, state: s, perStep, last: perStep[perStep.length - 1] ?? [], states };
}

/** The error step() returns for `e` (the test fails if it is accepted). */
export function refusal(m: Model, s: State, e: Event): ModelError {
  const r = step(m, s, e);
  if (E.isRight(r)) throw new Error(`event ${JSON.stringify(e)} was accepted`);
  return r.left;
}

/** A transition context for calling rule functions directly. */
export function ctxOf(config: Config, variant: VariantName): Ctx {
  return { config, traits: variants[variant], out: [] };
}

// ---------------------------------------------------------------- events
export const enable = (dev: number): Event => ({ kind: 'enableSva', dev });
export const disable = (dev: number): Event => ({ kind: 'disableSva', dev });
export const bind = (dev: number, mm: number, fail: AllocFailurePoint = 'none'): Event => ({ kind: 'bind', dev, mm, fail });
export const unbind = (dev: number, mm: number): Event => ({ kind: 'unbind', dev, mm });
export const touch = (mm: number, page: number, frame: number): Event => ({ kind: 'touch', mm, page, frame });
export const munmap = (mm: number, start: number, end: number): Event => ({ kind: 'munmap', mm, start, end });
export const mmap = (mm: number, page: number): Event => ({ kind: 'mmap', mm, page });
export const exit = (mm: number): Event => ({ kind: 'exit', mm });
export const notifierFree = (domain: number, mm: number): Event => ({ kind: 'notifierFree', domain, mm });
export const domainFree = (domain: number): Event => ({ kind: 'domainFree', domain });
export const dma = (dev: number, pasid: number, page: number, write = true): Event => ({ kind: 'dma', dev, pasid, page, write });
export const ats = (dev: number, pasid: number, page: number, write = false): Event => ({ kind: 'atsTranslate', dev, pasid, page, write });
export const handle = (dev: number, group: number, frame: number): Event => ({ kind: 'iopfHandle', dev, group, frame });
export const respond = (dev: number, group: number): Event => ({ kind: 'iopfRespond', dev, group });

// ---------------------------------------------------------------- observations
export const cmds = (obs: readonly Observation[]): Command[] => obs.flatMap((o) => (o.kind === 'cmd' ? [o.cmd] : []));
export const ops = (obs: readonly Observation[]): string[] => cmds(obs).map((c) => c.op);
export const traces = (obs: readonly Observation[]): TraceRecord[] => obs.flatMap((o) => (o.kind === 'trace' ? [o.record] : []));
export const tps = (obs: readonly Observation[]): string[] => traces(obs).map((r) => r.tp);
export const hwEvents = (obs: readonly Observation[]): HwEvent[] => obs.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
export const dmaResults = (obs: readonly Observation[]): DmaResult[] => obs.flatMap((o) => (o.kind === 'dma' ? [o.result] : []));
export const returns = (obs: readonly Observation[]) => obs.flatMap((o) => (o.kind === 'return' ? [o.result] : []));
export const warns = (obs: readonly Observation[]) => obs.flatMap((o) => (o.kind === 'warn' ? [o.message] : []));
export const callbacks = (obs: readonly Observation[]) => obs.flatMap((o) => (o.kind === 'callback' ? [o] : []));
export const walks = (obs: readonly Observation[]) => obs.flatMap((o) => (o.kind === 'walk' ? [o] : []));
export const errnoOf = (obs: readonly Observation[]) => {
  const r = returns(obs);
  const last = r[r.length - 1];
  return last?.tag === 'error' ? last.errno : undefined;
};

/** A PCIe device (ATS + PRI) and a stalling platform device bound to process 0, page 0 mapped to frame 0. */
export const boundBoth: readonly Event[] = [enable(0), enable(1), bind(0, 0), bind(1, 0), touch(0, 0, 0)];

/** dev0 faults page 0 of process 0 in through PRI, then reads it through its ATC. */
export const atsFaultIn: readonly Event[] = [enable(0), bind(0, 0), dma(0, 1, 0), handle(0, 0, 0), respond(0, 0), dma(0, 1, 0)];
