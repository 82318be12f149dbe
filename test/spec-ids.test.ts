// Every rule and invariant of spec/ has a unique ID (a heading "### ID: title"); each ID must
// appear in src/ (as text in a .ts file) and in a test file other than this one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { invariantNames } from '../src/invariants/invariants.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const self = fileURLToPath(import.meta.url);

function filesUnder(dir: string, keep: (f: string) => boolean): string[] {
  let out: string[] = [];
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries.sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(filesUnder(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

const ID = /^[A-Z]+(?:-[A-Z0-9]+)+$/;
interface Heading { readonly id: string; readonly title: string; readonly where: string }

/** Every "### X: title" heading of spec/*.md, with file:line. */
function specHeadings(): Heading[] {
  const specDir = join(root, 'spec');
  const out: Heading[] = [];
  for (const file of readdirSync(specDir).filter((f) => f.endsWith('.md')).sort()) {
    readFileSync(join(specDir, file), 'utf8').split('\n').forEach((line, i) => {
      const m = /^###\s+(\S+):\s*(.*)$/.exec(line);
      if (m) out.push({ id: m[1]!, title: m[2]!, where: `spec/${file}:${i + 1}` });
    });
  }
  return out;
}

const headings = specHeadings();
const srcText = filesUnder(join(root, 'src'), (f) => f.endsWith('.ts')).map((f) => readFileSync(f, 'utf8')).join('\n');
const testFiles = filesUnder(join(root, 'test'), (f) => /\.test\.ts$/.test(f) && f !== self);
const testText = testFiles.map((f) => readFileSync(f, 'utf8')).join('\n');
/** An ID occurs as a whole token (INV-REFCOUNT must not be satisfied by INV-REFCOUNT-X). */
const mentions = (text: string, id: string) => new RegExp(`(^|[^A-Z0-9-])${id.replace(/-/g, '\\-')}($|[^A-Z0-9-])`, 'm').test(text);

describe('spec IDs', () => {
  it('spec/ defines IDs', () => {
    expect(headings.length).toBeGreaterThan(50);
  });
  it('every "### X:" heading is a well-formed ID with a title', () => {
    const bad = headings.filter((h) => !ID.test(h.id) || h.title.length === 0).map((h) => `${h.where}: "${h.id}"`);
    expect(bad, `malformed ID headings:\n${bad.join('\n')}`).toEqual([]);
  });
  it('IDs are unique', () => {
    const seen = new Map<string, string>();
    const dups: string[] = [];
    for (const h of headings) {
      const prev = seen.get(h.id);
      if (prev) dups.push(`${h.id} at ${prev} and ${h.where}`);
      seen.set(h.id, h.where);
    }
    expect(dups, `duplicate IDs:\n${dups.join('\n')}`).toEqual([]);
  });
  it('every ID appears in src/', () => {
    const missing = headings.filter((h) => !mentions(srcText, h.id)).map((h) => `${h.id} (${h.where})`);
    expect(missing, `IDs in spec/ that no .ts file under src/ mentions:\n${missing.join('\n')}`).toEqual([]);
  });
  it('every ID is referenced by a test', () => {
    const missing = headings.filter((h) => !mentions(testText, h.id)).map((h) => `${h.id} (${h.where})`);
    expect(missing, `IDs in spec/ that no test file mentions:\n${missing.join('\n')}`).toEqual([]);
  });
  it('every invariant name has an INV- heading naming it, and every INV- heading names one', () => {
    const inv = headings.filter((h) => h.id.startsWith('INV-'));
    const named = (n: string) => inv.some((h) => new RegExp(`\`?${n}\`?(\\s|$|\\))`).test(h.title));
    const unnamed = invariantNames.filter((n) => !named(n));
    expect(unnamed, `invariants without an INV- heading in spec/:\n${unnamed.join('\n')}`).toEqual([]);
    const stray = inv.filter((h) => !invariantNames.some((n) => h.title.includes(n))).map((h) => `${h.id} (${h.where})`);
    expect(stray, `INV- headings naming no invariant of src/invariants/invariants.ts:\n${stray.join('\n')}`).toEqual([]);
  });
  it('spec IDs used in src/ comments are all defined in spec/', () => {
    const used = new Set(srcText.match(/\b(?:DRV|HW|MEM|INIT|DEV|INV)-[A-Z0-9]+(?:-[A-Z0-9]+)*\b|\bTRACE-FORMAT\b/g) ?? []);
    const defined = new Set(headings.map((h) => h.id));
    const undefinedIds = [...used].filter((id) => !defined.has(id)).sort();
    expect(undefinedIds, `IDs used in src/ but not defined in spec/:\n${undefinedIds.join('\n')}`).toEqual([]);
  });
  it('spec/README.md indexes every ID of rules.md and invariants.md', () => {
    const readme = readFileSync(join(root, 'spec', 'README.md'), 'utf8');
    const own = headings.filter((h) => /^spec\/(rules|invariants)\.md:/.test(h.where));
    const missing = own.filter((h) => !readme.includes(`| ${h.id} |`)).map((h) => `${h.id} (${h.where})`);
    expect(missing, `IDs missing from the index of spec/README.md:\n${missing.join('\n')}`).toEqual([]);
  });
  it('test files are found (sanity)', () => {
    expect(testFiles.map((f) => relative(root, f))).toContain('test/rules/bind.test.ts');
  });
});
