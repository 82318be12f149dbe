// Types of bin/runAgain.mjs (the launcher is plain JavaScript; its tests are TypeScript).
import type { HostFacts } from './hugePages.mjs';
type Env = Readonly<Record<string, string | undefined>>;
export interface Plan {
  readonly args: readonly string[];
  readonly env: Env;
}
export declare const RUN_AGAIN_MARK: string;
export declare function explorePlan(how: { readonly argv: readonly string[]; readonly execArgv: readonly string[]; readonly env: Env; readonly facts: HostFacts }): Plan | undefined;
export declare function runAgain(args: readonly string[], env?: Env): Promise<number | undefined>;
