// spec/sources.md (issue 12, point 9): every source reference of spec/ is listed with a status
// that says whether it was checked against a stored copy of the source, corrected, or left
// unverified with a reason.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const text = readFileSync(new URL('../spec/sources.md', import.meta.url), 'utf8');

/** Table rows as cells, splitting on '|' that is not escaped as '\|'. */
function rows(): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  text.split('\n').forEach((l, i) => {
    if (!l.startsWith('| ') || /^\| -/.test(l)) return;
    const cells = l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
    if (cells[2] === 'status') return; // header
    out.push({ line: i + 1, cells });
  });
  return out;
}

describe('spec/sources.md: the source audit', () => {
  const all = rows();
  it('has a row for every reference, each with a known status', () => {
    expect(all.length).toBeGreaterThan(100);
    for (const r of all) {
      expect(r.cells, `sources.md:${r.line}`).toHaveLength(5);
      expect(r.cells[2], `sources.md:${r.line}`).toMatch(/^(checked|corrected|unverified|n\/a)\b/);
    }
  });
  it('an unverified reference says why, a checked or corrected one says where', () => {
    for (const r of all) {
      const [, , status, where, note] = r.cells as [string, string, string, string, string];
      if (status.startsWith('unverified')) expect(`${where} ${note}`.trim().length, `sources.md:${r.line}: no reason`).toBeGreaterThan(10);
      if (status.startsWith('checked') || status.startsWith('corrected')) expect(where.length, `sources.md:${r.line}: no place`).toBeGreaterThan(3);
    }
  });
});
