// spec/configuration.md: the integer ranges and option defaults it documents are the ones the
// codec and defaultOptions implement.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeConfig, encodeConfig } from '../../src/codecs/config.ts';
import { seedWideConfig, defaultOptions } from '../../src/model/config.ts';

const text = readFileSync(new URL('../../spec/configuration.md', import.meta.url), 'utf8');
const sectionPath: Record<string, string[]> = {
  'Top level': [], '`smmu`': ['smmu'], '`domains[]`': ['domains', '0'], '`devices[]`': ['devices', '0'],
  '`processes[]`': ['processes', '0'], '`options`': ['options'],
};

interface Row { section: string; field: string; cells: string[] }
function rows(): Row[] {
  const out: Row[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    const h = /^### (.*)$/.exec(line);
    if (h) { section = h[1]!.trim(); continue; }
    const m = /^\| `([A-Za-z]+)` \|(.*)\|$/.exec(line);
    if (m && section in sectionPath) out.push({ section, field: m[1]!, cells: m[2]!.split('|').map((c) => c.trim()) });
  }
  return out;
}
const num = (s: string) => (/^2\^(\d+)$/.test(s) ? 2 ** Number(s.slice(2)) : /^\d+$/.test(s) ? Number(s) : undefined);

function decodeWith(path: string[], value: unknown): boolean {
  const json = JSON.parse(JSON.stringify(encodeConfig(seedWideConfig))) as Record<string, unknown>;
  let o: Record<string, unknown> = json;
  for (const k of path.slice(0, -1)) { o[k] ??= {}; o = o[k] as Record<string, unknown>; }
  o[path[path.length - 1]!] = value;
  // a small ASID space needs process ASIDs inside it (a cross-field check of its own)
  if (path.join('.') === 'smmu.asidBits') (json.processes as { cpuAsid: number }[]).forEach((p, i) => { p.cpuAsid = i + 2; });
  return E.isRight(decodeConfig(json));
}

describe('spec/configuration.md matches the codec', () => {
  const all = rows();
  it('documents every option with its default', () => {
    const opts = all.filter((r) => r.section === '`options`');
    expect(opts.map((r) => r.field).sort()).toEqual(Object.keys(defaultOptions).sort());
    for (const r of opts) {
      const documented = r.cells[1]!.replace(/`/g, '');
      expect(`${r.field}=${documented}`).toBe(`${r.field}=${JSON.stringify(defaultOptions[r.field as keyof typeof defaultOptions])}`);
    }
  });
  it('every "integer in [a, b]" range: a and b accepted, a-1 and b+1 rejected', () => {
    let checked = 0;
    for (const r of all) {
      const range = r.cells.map((c) => /integer in \[([^,\]]+), ([^\]]+)\]/.exec(c)).find((x) => x);
      if (!range) continue;
      const lo = num(range[1]!.trim()), hi = num(range[2]!.trim());
      if (lo === undefined || hi === undefined) continue; // bounds that depend on other fields
      const path = [...sectionPath[r.section]!, r.field];
      expect(decodeWith(path, lo), `${path.join('.')}=${lo}`).toBe(true);
      expect(decodeWith(path, hi), `${path.join('.')}=${hi}`).toBe(true);
      expect(decodeWith(path, lo - 1), `${path.join('.')}=${lo - 1}`).toBe(false);
      expect(decodeWith(path, hi + 1), `${path.join('.')}=${hi + 1}`).toBe(false);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});
