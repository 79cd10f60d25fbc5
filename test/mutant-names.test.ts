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
const read = new Set(tsFiles(src).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\.bug\('([^']+)'\)/g)].map((m) => m[1]!)));
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
