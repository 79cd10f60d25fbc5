/**
 * State caching, plain DFS and stateful DPOR: the same outcomes with fewer
 * executions, on every scenario that declares a stateHash (the soundness
 * property on generated programs is in properties/dpor-soundness.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../src/core/runner.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { textbookScenarios } from '../src/scenarios/textbook/index.ts';

function outcomes(name: string, dpor: boolean, stateCache: boolean, mutant: string | null, params: Record<string, number> = {}) {
  const sc = textbookScenarios.find((s) => s.name === name)!;
  const seen = new Set<string>();
  const st = new DfsStrategy({ dpor, stateCache });
  const r = explore(sc, st, { mutant, params, keepGoing: true, onExecution: (_ex, res) => res.failure && seen.add(`${res.failure.spec}`) });
  return { seen, r, st };
}

describe('state caching', () => {
  for (const dpor of [false, true]) {
    for (const sc of textbookScenarios.filter((s) => s.stateHash)) {
      for (const mutant of [null, ...(sc.mutants ?? [])]) {
        it(`${dpor ? 'dpor' : 'dfs'} ${sc.name}${mutant ? ` with ${mutant}` : ''}: same failures found, no more executions`, () => {
          const plain = outcomes(sc.name, dpor, false, mutant);
          const cached = outcomes(sc.name, dpor, true, mutant);
          expect(cached.r.complete).toBe(true);
          expect([...cached.seen].sort()).toEqual([...plain.seen].sort());
          expect(cached.st.terminal).toBeLessThanOrEqual(plain.st.terminal);
        });
      }
    }
  }
  it('prunes revisited states', () => {
    expect(outcomes('tb-counter', false, true, null).st.cacheHits).toBeGreaterThan(0);
  });
  it('stateful DPOR on tb-counter with 5 threads: fewer executions than stateless DPOR, one terminal state per final count history', () => {
    const stateless = outcomes('tb-counter', true, false, null, { threads: 5 });
    const stateful = outcomes('tb-counter', true, true, null, { threads: 5 });
    expect(stateless.st.terminal).toBe(120); // 5!: DPOR orders the five critical sections every way
    expect(stateful.st.cacheHits).toBeGreaterThan(0);
    expect(stateful.r.schedules).toBeLessThan(stateless.r.schedules);
    expect(stateful.st.cache!.states).toBeGreaterThan(0);
  });
  it('is refused within a bound', () => {
    expect(() => new DfsStrategy({ dpor: true, stateCache: true, preemptionBound: 1 })).toThrow(/not sound within a preemption or delay bound/);
    expect(() => new DfsStrategy({ dpor: false, stateCache: true, delayBound: 1 })).toThrow(/not sound within a preemption or delay bound/);
  });
});
