// A model instance: a configuration with one driver variant.
import type { Config } from './config.ts';
import { variants, type VariantName, type VariantTraits } from './variant.ts';

export interface Model {
  readonly config: Config;
  readonly traits: VariantTraits;
}

export function createModel(config: Config, variant: VariantName): Model {
  return { config, traits: variants[variant] };
}
