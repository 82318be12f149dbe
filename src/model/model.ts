// A model instance: a configuration with one driver variant.
import type { Config } from './config.ts';
import { variants, type VariantName, type VariantTraits } from './variant.ts';

export interface Model {
  readonly config: Config;
  readonly traits: VariantTraits;
}

/** The variant's traits, with options.priHandling (when not 'variant') overriding its PRI handling. */
export function createModel(config: Config, variant: VariantName): Model {
  const traits = variants[variant];
  const pri = config.options.priHandling;
  return { config, traits: pri === 'variant' || pri === traits.priHandling ? traits : { ...traits, priHandling: pri } };
}
