// --config FILE and --variant NAME, shared by the commands that take them.
import * as E from 'fp-ts/lib/Either.js';
import { loadConfigFile } from '../codecs/config.ts';
import { defaultConfig, type Config } from '../model/config.ts';
import { isVariantName, variantNames, type VariantName } from '../model/variant.ts';

export function configFromFlag(v: string | boolean | undefined): E.Either<string[], Config> {
  if (v === undefined) return E.right(defaultConfig);
  if (typeof v !== 'string') return E.left(['--config expects a file name']);
  return loadConfigFile(v);
}

export function variantFromFlag(v: string | boolean | undefined, dflt: VariantName): E.Either<string, VariantName> {
  if (v === undefined) return E.right(dflt);
  if (typeof v === 'string' && isVariantName(v)) return E.right(v);
  return E.left(`unknown variant "${String(v)}": expected one of ${variantNames.join(', ')}`);
}

/**
 * --config and --variant (default v6) of a benchmark tool: both, or the usage error to print
 * (a bad variant prefixed by `tool`, e.g. "npm run bench:expand").
 */
export function configAndVariant(v: { readonly config?: string | boolean; readonly variant?: string | boolean }, tool: string): E.Either<string | string[], { config: Config; variant: VariantName }> {
  const config = configFromFlag(v.config);
  if (E.isLeft(config)) return config;
  const variant = variantFromFlag(v.variant, 'v6');
  if (E.isLeft(variant)) return E.left(`${tool}: ${variant.left}`);
  return E.right({ config: config.right, variant: variant.right });
}
