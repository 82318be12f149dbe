// Configurations the random phase of conform runs besides the shipped ones: the built-in default
// with the options and shapes no shipped configuration has (every shipped one has one stage-1
// domain, strictDisable on, atsPrefetch and remap off, write-only DMA, PRI on every ATS device),
// so that the code behind them is exercised too. Not test-vector configurations (vectors name
// spec/configs files); each is validated like a configuration file.
import * as E from 'fp-ts/lib/Either.js';
import { decodeConfig, encodeConfig } from '../codecs/config.ts';
import { defaultConfig, type Config } from '../model/config.ts';

function derive(name: string, change: (c: Config) => Config): Config {
  const c = change({ ...defaultConfig, name });
  const again = decodeConfig(encodeConfig(c));
  if (E.isLeft(again)) throw new Error(`derived configuration ${name} is invalid: ${again.left.join('; ')}`);
  return again.right;
}

export const derivedConfigs: readonly Config[] = [
  // the platform device in a second stage-1 domain: CD tables, CFGI and invalidations per domain
  derive('default+two-domains', (c) => ({
    ...c,
    domains: [...c.domains, { name: 'dom1', stage: 1 }],
    devices: c.devices.map((d, i) => (i === 1 ? { ...d, domain: 1 } : d)),
  })),
  // disableSva and domainFree with bonds still present (the EBUSY paths, bonds on detached devices)
  derive('default+lax-disable', (c) => ({ ...c, options: { ...c.options, strictDisable: false } })),
  // ATS translation requests, read and write DMA, munmap then mmap of a page
  derive('default+ats-prefetch-remap', (c) => ({ ...c, options: { ...c.options, atsPrefetch: true, remap: true, dmaAccesses: ['read', 'write'] } })),
  // an ATS device without PRI, which cannot stall either (INIT-PCI: a device with ATS never
  // stalls): the v6 family refuses SVA on it (no IOPF), upstream enables it, and its translation
  // requests that fault end as no-access
  derive('default+ats-no-pri', (c) => ({
    ...c,
    devices: c.devices.map((d, i) => (i === 0 ? { ...d, pri: false } : d)),
    options: { ...c.options, atsPrefetch: true },
  })),
];
