/**
 * State caching, plain DFS and stateful DPOR: the same outcomes with fewer
 * executions, on every scenario that declares a stateHash (the soundness
 * property on generated programs is in properties/dpor-soundness.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { access } from '../src/core/ops.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
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
    // Hits at states a terminal execution went through were checked against that execution, and agreed.
    expect(stateful.st.hitsChecked).toBeGreaterThan(0);
    expect(stateful.st.hitsChecked).toBeLessThanOrEqual(stateful.st.cacheHits);
    expect(stateful.r.schedules).toBeLessThan(stateless.r.schedules);
    expect(stateful.st.cache!.states).toBeGreaterThan(0);
  });
  it('is refused within a bound', () => {
    expect(() => new DfsStrategy({ dpor: true, stateCache: true, preemptionBound: 1 })).toThrow(/not sound within a preemption or delay bound/);
    expect(() => new DfsStrategy({ dpor: false, stateCache: true, delayBound: 1 })).toThrow(/not sound within a preemption or delay bound/);
  });
});

describe('checked hits', () => {
  // Each thread reads x into a generator local, then writes local + 1: the
  // local is in no stateHash and no programPoint, so two ways to "x = 1, T0
  // about to write" (T0 read 0, or read 1) share a key with different futures.
  const readThenWrite = (name: string, declare: boolean) =>
    defineScenario<{ x: number; obj: number }>({
      name,
      description: 'a read kept in a generator local',
      system: 'test',
      threads: 2,
      setup(ex) {
        const s = { x: 0, obj: ex.newObject('x', 'var') };
        for (const t of ['T0', 'T1']) {
          ex.spawn(
            t,
            (function* () {
              yield* access(s.obj, 'r');
              const v = s.x;
              if (declare) ex.programPoint(`read ${v}`);
              yield* access(s.obj, 'w');
              s.x = v + 1;
            })(),
          );
        }
        return s;
      },
      stateHash: (s) => String(s.x),
    });
  const leaky = readThenWrite('test-leaky-key', false);
  it.each([true, false])('a key that misses a generator local is caught at its first hit, with both schedules (dpor %s)', (dpor) => {
    expect(() => explore(leaky, new DfsStrategy({ dpor, stateCache: true }), { keepGoing: true })).toThrow(
      /state caching: two ways to one state key have different futures[\s\S]*stateHash, or a thread's ex\.programPoint[\s\S]*first visit: schedule/,
    );
  });
  it('with checkHits 0 hits are pruned unchecked: the same search ends without the error', () => {
    const st = new DfsStrategy({ dpor: true, stateCache: true, checkHits: 0 });
    expect(explore(leaky, st, { keepGoing: true }).complete).toBe(true);
    expect(st.cacheHits).toBeGreaterThan(0);
    expect(st.hitsChecked).toBe(0);
  });
  it('declaring the local as the program point makes the key complete: the same end states as plain DFS, hits checked', () => {
    const fixed = readThenWrite('test-declared-key', true);
    const st = new DfsStrategy({ dpor: true, stateCache: true });
    const seen = new Set<number>();
    const r = explore(fixed, st, { keepGoing: true, onExecution: (ex, res) => !res.pruned && seen.add((ex.state as { x: number }).x) });
    expect(r.complete).toBe(true);
    expect([...seen].sort()).toEqual([1, 2]);
  });
});
