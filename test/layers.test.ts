/**
 * The layers of docs/design.md, enforced: every import in src/ points to
 * the same layer or one to its left,
 *   core -> locks -> actors -> specs -> scenarios -> bugs -> api, integrations, cli
 * (index.ts, internal.ts and models.ts, the package's entry points, may import anything).
 * Imports are read with TypeScript's parser, type-only imports included:
 * a type from a higher layer is a dependency too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const src = join(__dirname, '..', 'src');
const RANK: Record<string, number> = { core: 0, locks: 1, actors: 2, specs: 3, scenarios: 4, bugs: 5, api: 6, integrations: 6, cli: 6 };

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}
function layerOf(file: string): string | null {
  const top = relative(src, file).split(/[\\/]/)[0]!;
  return top in RANK ? top : null;
}
function importsOf(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) out.push(n.arguments[0].text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

describe('layers', () => {
  const files = tsFiles(src);
  it('every file of src/ is in a layer or is an entry point', () => {
    expect(files.filter((f) => layerOf(f) === null).map((f) => relative(src, f)).sort()).toEqual(['index.ts', 'internal.ts', 'models.ts']);
  });
  it('no import points to a layer on its right', () => {
    const upward: string[] = [];
    for (const f of files) {
      const from = layerOf(f);
      if (from === null) continue;
      for (const target of importsOf(f)) {
        const to = layerOf(target);
        if (to === null || RANK[to]! > RANK[from]!) upward.push(`${relative(src, f)} -> ${relative(src, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });
  it('finds imports at all (the check is not vacuous)', () => {
    expect(importsOf(join(src, 'locks', 'kmutex.ts')).some((p) => p.endsWith(join('core', 'execution.ts')))).toBe(true);
  });
});
