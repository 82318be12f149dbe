// The conformance protocol (spec/protocol.md): JSON lines between the runner and an
// implementation under test, one request per line on the implementation's stdin, one reply per
// line on its stdout, replies in request order. io-ts codecs for both directions.
import * as t from 'io-ts';
import { eventCodec, observationCodec } from './event.ts';
import { variantNames, type VariantName } from '../model/variant.ts';

/** Protocol version carried by every reset; an implementation that answers another one is refused. */
export const PROTOCOL_VERSION = 3;

/** Optional capabilities an implementation may announce in its reset reply. */
export const features = ['snapshot'] as const;
export type Feature = (typeof features)[number];

const variantCodec = t.keyof(Object.fromEntries(variantNames.map((v) => [v, null])) as Record<VariantName, null>, 'a variant name');
const slot = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');

// ------------------------------------------------------------------ runner -> implementation
// PROTO-FRAMING: one JSON object per line; PROTO-RESET, PROTO-STEP, PROTO-SNAPSHOT, PROTO-BYE.

/** `config` is the JSON of spec/configs/*.json (encodeConfig); the engine decodes it with decodeConfig. */
export const resetRequest = t.exact(t.type({ op: t.literal('reset'), protocol: t.number, config: t.UnknownRecord, variant: variantCodec }));
export const stepRequest = t.exact(t.type({ op: t.literal('step'), event: eventCodec }));
/** snapshot feature: remember the current state under `slot` (overwriting), or go back to it. */
export const saveRequest = t.exact(t.type({ op: t.literal('save'), slot }));
export const restoreRequest = t.exact(t.type({ op: t.literal('restore'), slot }));
export const byeRequest = t.exact(t.type({ op: t.literal('bye') }));

export const requestCodec = t.union([resetRequest, stepRequest, saveRequest, restoreRequest, byeRequest], 'a request object with a known "op"');
export type Request = t.TypeOf<typeof requestCodec>;
/** The wire form (config with hex vaBase strings). */
export type RequestJson = t.OutputOf<typeof requestCodec>;

// ------------------------------------------------------------------ implementation -> runner

/** Reply to reset, save and restore. */
export const ackReply = t.exact(t.intersection([
  t.type({ ok: t.boolean }),
  t.partial({ protocol: t.number, features: t.array(t.string), error: t.string }),
]), 'an acknowledgement {"ok": true|false}');
export type AckReply = t.TypeOf<typeof ackReply>;

/** A step accepted: what it made observable, and optionally the next state's digest. */
export const stepOk = t.exact(t.intersection([
  t.type({ observations: t.array(t.unknown) }),
  t.partial({ digest: t.string }),
]));
/** PROTO-REFUSAL: a step refused: the ModelError tag (UnknownDevice, UnknownProcess, UnknownDomain, BadArgument, NotEnabled). */
export const stepRefused = t.exact(t.intersection([t.type({ error: t.string }), t.partial({ detail: t.string })]));
export const stepReply = t.union([stepOk, stepRefused], 'a step reply {"observations": [...]} or {"error": TAG}');
export type StepReply = t.TypeOf<typeof stepReply>;

/** Observations are decoded one by one so that an error names the index ($.observations[2]...). */
export { observationCodec };
