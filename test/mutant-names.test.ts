/**
 * Mutant names are strings read by `ex.bug('name')` in the models: a typo
 * there silently disables a mutant. The three places that name mutants
 * must agree: the models' `ex.bug` literals, the scenarios' `mutants`
 * lists, and the catalogue (src/bugs), which covers every listed mutant or
 * the coverage docs say why not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mutants } from '../src/bugs/index.ts';
import { scenarios } from '../src/scenarios/registry.ts';

const src = join(__dirname, '..', 'src');
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}
/** Names read by `.bug('name')`, or by `.bug(NAME)` (an upper-case constant) with `const NAME = 'name'` in the same file. */
function readIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const consts = new Map([...text.matchAll(/const (\w+) = '([^']+)'/g)].map((m) => [m[1]!, m[2]!]));
  return [...text.matchAll(/\.bug\(('([^']+)'|([A-Z_][A-Z0-9_]*))\)/g)].map((m) => m[2] ?? consts.get(m[3]!) ?? `(unresolved ${m[3]} in ${file})`);
}
const read = new Set(tsFiles(src).flatMap(readIn));
const listed = new Set(scenarios.flatMap((s) => s.mutants ?? []));
const catalogued = new Set(mutants.map((m) => m.mutant));
const coverageDocs = readdirSync(join(__dirname, '..', 'docs', 'coverage')).map((f) => readFileSync(join(__dirname, '..', 'docs', 'coverage', f), 'utf8')).join('\n');

describe('mutant names', () => {
  it('the models read a mutant only if some scenario lists it, and every listed one is read', () => {
    expect(read.size).toBeGreaterThan(20);
    expect([...read].filter((m) => !listed.has(m)).sort()).toEqual([]);
    expect([...listed].filter((m) => !read.has(m)).sort()).toEqual([]);
  });
  it('every catalogued mutant is listed by its scenario', () => {
    for (const m of mutants) expect(scenarios.find((s) => s.name === m.scenario)?.mutants ?? [], m.mutant).toContain(m.mutant);
  });
  it('a listed mutant without a catalogue entry is named in the coverage docs with the reason', () => {
    for (const m of [...listed].filter((x) => !catalogued.has(x))) expect(coverageDocs, m).toContain(m);
  });
});
