// The source text of a function compiled for one configuration (loadCode.ts, canonCode.ts): lines
// appended in order, then compiled with `new Function`. The text is made from the configuration's
// integers (sizes, indices, relabelled constants) only, never from a string a user wrote.
export class FunctionSource {
  private readonly lines: string[] = [];

  /** Append one line of the body. */
  line(s: string): void {
    this.lines.push(s);
  }

  /** The function `name(params)` with this body; the values of `bound` are in scope under their keys. */
  compile<F>(name: string, params: readonly string[], bound: Readonly<Record<string, unknown>> = {}): F {
    const names = Object.keys(bound);
    const make = new Function(...names, `return function ${name}(${params.join(', ')}) {\n${this.lines.join('\n')}\n};`) as (...v: unknown[]) => F;
    return make(...names.map((n) => bound[n]));
  }
}

let allowed: boolean | undefined;
/** Whether this Node compiles code from strings: false under `--disallow-code-generation-from-strings`
 *  (or a policy that forbids it), where the packed engine cannot be built (packed/expand.ts resolveEngine). */
export function codeGenerationAllowed(): boolean {
  if (allowed === undefined) {
    try { allowed = (new Function('return 1') as () => number)() === 1; } catch { allowed = false; }
  }
  return allowed;
}
