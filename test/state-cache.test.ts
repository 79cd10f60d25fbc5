/** State caching for plain DFS: the same outcomes with fewer executions, on every scenario that declares a stateHash. */
import { describe, expect, it } from 'vitest';
import { explore } from '../src/core/runner.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { textbookScenarios } from '../src/scenarios/textbook/index.ts';

function outcomes(name: string, stateCache: boolean, mutant: string | null) {
  const sc = textbookScenarios.find((s) => s.name === name)!;
  const seen = new Set<string>();
  const st = new DfsStrategy({ dpor: false, stateCache });
  const r = explore(sc, st, { mutant, keepGoing: true, onExecution: (_ex, res) => res.failure && seen.add(`${res.failure.spec}`) });
  return { seen, r, st };
}

describe('state caching (dfs)', () => {
  for (const sc of textbookScenarios.filter((s) => s.stateHash)) {
    for (const mutant of [null, ...(sc.mutants ?? [])]) {
      it(`${sc.name}${mutant ? ` with ${mutant}` : ''}: same failures found, no more executions`, () => {
        const plain = outcomes(sc.name, false, mutant);
        const cached = outcomes(sc.name, true, mutant);
        expect(cached.r.complete).toBe(true);
        expect([...cached.seen].sort()).toEqual([...plain.seen].sort());
        expect(cached.st.terminal).toBeLessThanOrEqual(plain.st.terminal);
      });
    }
  }
  it('prunes revisited states', () => {
    const c = outcomes('tb-counter', true, null);
    expect(c.st.cacheHits).toBeGreaterThan(0);
  });
  it('is refused with DPOR', () => {
    expect(() => new DfsStrategy({ dpor: true, stateCache: true })).toThrow(/not sound with DPOR/);
  });
});
