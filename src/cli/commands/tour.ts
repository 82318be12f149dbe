// smmu-sva tour (npm start): what the model does, on the built-in default configuration.
// 1. the seed's first trace replayed under v6, with every observation; 2. the same script under
// v6-atc; 3. the variant table with expected verdicts.
import * as E from 'fp-ts/lib/Either.js';
import { seedTrace1 } from '../../scenarios/seed.ts';
import { runScript } from '../../scenarios/run.ts';
import { describeEvent, describeObservation } from '../../trace/describe.ts';
import { parseFlags, usageError } from '../args.ts';
import { run as variantsRun } from './variants.ts';

const say = (s = '') => process.stdout.write(`${s}\n`);

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('tour', argv, {});
  if (E.isLeft(flags)) return usageError(flags.left);
  say('smmu-sva: a reference model of Arm SMMUv3 Shared Virtual Addressing in the Linux driver.');
  say('Events (bind, DMA, page faults, munmap, exit, unbind...) step an immutable state of SMMU');
  say('hardware, driver bookkeeping and process memory; every step is checked against the invariants.');
  say();
  for (const variant of ['v6', 'v6-atc'] as const) {
    say(`== ${seedTrace1.name} (${seedTrace1.summary}) under ${variant}`);
    const r = runScript(seedTrace1.config, variant, seedTrace1.events);
    for (const st of r.steps) {
      say(`${String(st.index + 1).padStart(3)}. ${describeEvent(seedTrace1.config, st.event)}`);
      for (const o of st.observations) if (o.kind !== 'cmd' || o.cmd.op !== 'CMD_SYNC') say(`       ${describeObservation(seedTrace1.config, o)}`);
      for (const v of st.violations) say(`       !! ${v.invariant}: ${v.detail}`);
    }
    const bad = new Set(r.steps.flatMap((s) => s.violations.map((v) => v.invariant)));
    say(bad.size ? `   -> ${variant} violates ${[...bad].join(', ')}: munmap sends no CMD_ATC_INV, the device keeps translations to freed frames.` : `   -> ${variant}: no invariant violated.`);
    say();
  }
  say('== the driver variants (smmu-sva variants)');
  return variantsRun([]);
}
