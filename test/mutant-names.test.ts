/**
 * Mutant names are strings read by `ex.bug('name')` in the models: a typo
 * there silently disables a mutant. The three places that name mutants
 * must agree: the models' `ex.bug` literals, the scenarios' `mutants`
 * lists, and the catalogue (src/bugs), which covers every listed mutant or
 * the coverage docs say why not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
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
/**
 * Names read by `.bug('name')`, or by `.bug(NAME)` (an upper-case constant)
 * with `const NAME = 'name'` in the same file. The file is parsed, so a
 * `.bug('x')` in a comment or a string is not a read.
 */
function readIn(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const consts = new Map<string, string>();
  const calls: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && ts.isStringLiteral(n.initializer)) consts.set(n.name.text, n.initializer.text);
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'bug' && n.arguments.length === 1) calls.push(n.arguments[0]!);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return calls.map((a) => (ts.isStringLiteral(a) ? a.text : ts.isIdentifier(a) && /^[A-Z_][A-Z0-9_]*$/.test(a.text) ? (consts.get(a.text) ?? `(unresolved ${a.text} in ${file})`) : `(not a name: ${a.getText(src)} in ${file})`));
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
