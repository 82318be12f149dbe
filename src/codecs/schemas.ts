// The shipped JSON Schema documents (spec/schema/), built from the codecs.
import * as t from 'io-ts';
import { ackReply, stepRefused, resetRequest, stepRequest, saveRequest, restoreRequest, byeRequest } from './protocol.ts';
import { vectorCodec } from './vector.ts';
import { configCodec } from './config.ts';
import { eventCodec, observationCodec } from './event.ts';
import { schemaDocument, type JsonSchema } from './schema.ts';

const base = 'urn:smmu-sva-model:schema:';

/** File name in spec/schema/ -> schema document. */
export function schemas(): Record<string, JsonSchema> {
  const shared = new Map<t.Mixed, string>([[eventCodec, 'event'], [observationCodec, 'observation']]);
  // the wire form of requests: reset carries a configuration (spec/configuration.md); step replies
  // carry observations (the codec decodes them one by one after the reply's shape)
  const wireRequest = t.union([
    t.exact(t.type({ op: t.literal('reset'), protocol: t.number, config: configCodec, variant: (resetRequest.type as unknown as { props: { variant: t.Mixed } }).props.variant })),
    stepRequest, saveRequest, restoreRequest, byeRequest,
  ]);
  const wireStepOk = t.exact(t.intersection([t.type({ observations: t.array(observationCodec) }), t.partial({ digest: t.string })]));
  return {
    'vector.schema.json': schemaDocument(`${base}vector.schema.json`, 'smmu-sva-model test vector', vectorCodec, shared,
      'One line of generated/vectors/<config>.<variant>.jsonl: from the initial state of spec/configs/<config>.json under <variant>, apply path, then event; the model answers observations and a next state with digest, or refuses the event with error.'),
    'config.schema.json': schemaDocument(`${base}config.schema.json`, 'smmu-sva-model configuration', configCodec, new Map(),
      'A configuration (spec/configuration.md, spec/configs/*.json). Semantic checks beyond the shape (device and domain indices in range, ...) are made by decodeConfig.'),
    'protocol-request.schema.json': schemaDocument(`${base}protocol-request.schema.json`, 'smmu-sva-model conformance protocol: a request line', wireRequest, new Map([...shared, [configCodec, 'config']]),
      'One line the runner writes to the implementation (spec/protocol.md): reset, step, save, restore or bye.'),
    'protocol-reply.schema.json': schemaDocument(`${base}protocol-reply.schema.json`, 'smmu-sva-model conformance protocol: a reply line',
      t.union([ackReply, wireStepOk, stepRefused]), shared,
      'One line the implementation writes back (spec/protocol.md): an acknowledgement of reset, save or restore, a step accepted (observations, optional digest) or a step refused (error tag).'),
  };
}
