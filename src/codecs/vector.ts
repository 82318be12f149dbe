// Test vectors (generated/vectors/*.jsonl): one JSON object per line, language-neutral.
// A vector says: from the initial state of `config` under `variant`, apply `path`, then `event`;
// the reducer answers `observations` and a next state whose digest is `digest`
// (src/model/digest.ts), or refuses the event with the error tag `error`.
import * as t from 'io-ts';
import { eventCodec, observationsCodec } from './event.ts';
import { variantNames, type VariantName } from '../model/variant.ts';

const variantCodec = t.keyof(Object.fromEntries(variantNames.map((v) => [v, null])) as Record<VariantName, null>, 'a variant name');

export const vectorCodec = t.exact(t.intersection([
  t.type({
    /** Stable id, unique in its file. */
    id: t.string,
    /** Configuration name: spec/configs/<config>.json. */
    config: t.string,
    variant: variantCodec,
    path: t.array(eventCodec),
    event: eventCodec,
  }),
  t.partial({
    observations: observationsCodec,
    digest: t.string,
    error: t.string,
  }),
]));

export type Vector = t.TypeOf<typeof vectorCodec>;
