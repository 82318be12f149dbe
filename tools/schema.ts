// npm run schema [-- --check]: writes spec/schema/*.schema.json, JSON Schema (2020-12) of the
// vector format and of the protocol messages, from the io-ts codecs (src/codecs/schema.ts).
// With --check, writes nothing and exits 1 naming each file that differs (npm test checks this
// through test/schema.test.ts).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemas } from '../src/codecs/schemas.ts';

const dir = fileURLToPath(new URL('../spec/schema/', import.meta.url));
const check = process.argv.includes('--check');
const differ: string[] = [];
mkdirSync(dir, { recursive: true });
for (const [file, doc] of Object.entries(schemas())) {
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const path = `${dir}${file}`;
  let old: string | undefined;
  try { old = readFileSync(path, 'utf8'); } catch { old = undefined; }
  if (old === text) continue;
  if (check) differ.push(`spec/schema/${file}`); else writeFileSync(path, text);
}
for (const f of differ) process.stderr.write(`${f} differs from what npm run schema writes\n`);
process.exitCode = differ.length ? 1 : 0;
