/**
 * Mutant names are strings read by `ex.bug('name')` in the models: a typo
 * there silently disables a mutant. Every system keys them in a table
 * (src/actors/<system>/mutants.ts; the textbook's in src/scenarios/textbook)
 * read through a typed helper (`nsBug(ex, 'name')`, `ipmpBug`, `nxBug`,
 * `fbBug`, `tbBug`), so a typo does not compile. The
 * places that name mutants must agree: the models' reads, the tables, the
 * scenarios' `mutants` lists, and the catalogue (src/bugs), which covers
 * every listed mutant or the coverage docs say why not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { mutants } from '../src/bugs/index.ts';
import { scenarios } from '../src/scenarios/registry.ts';
import { ipmpMutantTable } from '../src/actors/ipmp/mutants.ts';
import { netifMutantTable } from '../src/actors/netif/mutants.ts';
import { netstackMutantTable } from '../src/actors/netstack/mutants.ts';
import { ifnetMutantTable } from '../src/actors/ifnet/mutants.ts';
import { textbookMutantTable } from '../src/scenarios/textbook/mutants.ts';

const src = join(__dirname, '..', 'src');
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}
/**
 * Names read by `.bug('name')` or a typed helper `xxBug(ex, 'name')`, or by
 * either with NAME (an upper-case constant) and `const NAME = 'name'` in the same file. The file is parsed, so a
 * `.bug('x')` in a comment or a string is not a read.
 */
function readIn(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const consts = new Map<string, string>();
  const calls: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && ts.isStringLiteral(n.initializer)) consts.set(n.name.text, n.initializer.text);
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'bug' && n.arguments.length === 1) calls.push(n.arguments[0]!);
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && /^[a-z]+Bug$/.test(n.expression.text) && n.arguments.length === 2) calls.push(n.arguments[1]!);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return calls.map((a) => (ts.isStringLiteral(a) ? a.text : ts.isIdentifier(a) && /^[A-Z_][A-Z0-9_]*$/.test(a.text) ? (consts.get(a.text) ?? `(unresolved ${a.text} in ${file})`) : `(not a name: ${a.getText(src)} in ${file})`));
}
// core/mutants.ts is the typed tables' forwarding `ex.bug(name)`: it names no mutant.
const read = new Set(tsFiles(src).filter((f) => !f.endsWith(join('core', 'mutants.ts'))).flatMap(readIn));
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

  /**
   * The keyed tables: each equals the set its models read and the set its
   * scenarios list, and its catalogue covers every key but those below
   * (each named, with the reason, in docs/coverage/netstack.md).
   */
  const UNCATALOGUED: Record<string, string> = {
    'ns-no-zone-create-flag': 'M10: no scenario reaches a failure the flag guards alone',
    'ns-hold-if-active-closing-only': 'M17: needs a lookup from a create callback, which no scenario makes',
    'ns-creator-wait-if': 'M31: the while re-test matters only with spurious wake-ups, off in every scenario',
    'ns-nms-wait-if': 'M32: the while re-test matters only with spurious wake-ups, off in every scenario',
  };
  const tables = { netstack: netstackMutantTable, ipmp: ipmpMutantTable, netif: netifMutantTable, ifnet: ifnetMutantTable, textbook: textbookMutantTable };
  const prefixOf: Record<string, string> = { netif: 'nx-', netstack: 'ns-', ipmp: 'ipmp-', ifnet: 'fb-', textbook: 'tb-' };
  for (const [system, table] of Object.entries(tables)) {
    it(`${system}: the keyed table, the models' reads, the scenarios' lists and the catalogue agree`, () => {
      const keys = new Set<string>(table.names);
      expect(keys.size).toBe(table.names.length);
      const listedHere = new Set(scenarios.flatMap((s) => (s.mutants ?? []).filter((m) => keys.has(m))));
      const catalogued = new Set(mutants.filter((m) => keys.has(m.mutant)).map((m) => m.mutant));
      expect([...keys].filter((k) => !listedHere.has(k))).toEqual([]);
      expect([...keys].filter((k) => !read.has(k))).toEqual([]);
      // A scenario lists only keys of one table: a name outside every table is a typo.
      for (const sc of scenarios) for (const m of sc.mutants ?? []) if (m.startsWith(prefixOf[system]!)) expect(keys.has(m), `${sc.name} lists ${m}`).toBe(true);
      expect([...keys].filter((k) => !catalogued.has(k)).sort()).toEqual(Object.keys(UNCATALOGUED).filter((k) => keys.has(k)).sort());
      for (const k of Object.keys(UNCATALOGUED)) if (keys.has(k)) expect(coverageDocs, k).toContain(k);
    });
  }
});
