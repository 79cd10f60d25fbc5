/** The docs stay true: every token they show replays, every finding is documented with its pinned token. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findings } from '../src/bugs/index.ts';
import { replayToken } from '../src/core/trace/replay.ts';
import { findScenario } from '../src/scenarios/registry.ts';

const root = join(__dirname, '..');
function mdFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? mdFiles(p) : f.endsWith('.md') ? [p] : [];
  });
}
const docs = [join(root, 'README.md'), ...mdFiles(join(root, 'docs'))];
const tokens = new Map<string, string>();
for (const d of docs) for (const m of readFileSync(d, 'utf8').matchAll(/nsm1:[A-Za-z0-9_.:-]+/g)) if (!m[0].endsWith('...') && m[0].split(':').length === 9) tokens.set(m[0], d);

describe('docs', () => {
  it('stand alone: nothing points outside the repository', () => {
    for (const d of docs) expect(readFileSync(d, 'utf8'), d).not.toMatch(/\.\.\/shared|\/work\/|shared\/(reference|notes)|DESIGN\.md/);
  });
  it('show tokens', () => {
    expect(tokens.size).toBeGreaterThan(3);
  });
  it.each([...tokens].map(([t, d]) => [d.slice(root.length + 1), t]))('%s: %s replays', (_d, t) => {
    const rep = replayToken(t, findScenario);
    expect(rep.res.failure?.kind).not.toBe('divergence');
  });
  const findingsDoc = readFileSync(join(root, 'docs', 'findings.md'), 'utf8');
  it.each(findings.map((f) => [f.id, f] as const))('finding %s is in docs/findings.md with its pinned token', (id, f) => {
    expect(findingsDoc).toContain(id);
    expect(findingsDoc).toContain(f.token);
  });
});
