/**
 * Commuting mutexes in DPOR (KMutex `commutes`): two critical sections of
 * one mutex are ordered only when their contents conflict. The generated
 * programs of properties/dpor-soundness.test.ts check soundness in general;
 * here: the reduction is real on a minimal program, and on the netstack
 * model (whose netstack_g_lock commutes) it reaches exactly the outcomes,
 * failures included, that DPOR ordering every critical section reaches.
 */
import { describe, expect, it } from 'vitest';
import { findings, mutants } from '../src/bugs/index.ts';
import type { KThread } from '../src/core/effect.ts';
import type { Execution } from '../src/core/execution.ts';
import { localAccess } from '../src/core/ops.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario, type Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { KMutex, mutexEnter, mutexExit } from '../src/locks/kmutex.ts';
import { findScenario } from '../src/scenarios/registry.ts';

interface Two {
  m: KMutex;
  x: number[];
  v: number[];
}

function* section(s: Two, i: number): KThread<void> {
  yield* mutexEnter(s.m);
  yield* localAccess(s.x[i]!, 'w');
  s.v[i] = s.v[i]! + 1;
  yield* mutexExit(s.m);
}

/** Two threads, one critical section each, on variables `vars[0]` and `vars[1]`. */
function twoSections(commutes: boolean, vars: [number, number]): Scenario<Two> {
  return defineScenario<Two>({
    name: 'two-sections',
    description: 'two critical sections of one mutex',
    system: 'test',
    threads: 2,
    setup(ex: Execution) {
      const s: Two = { m: new KMutex(ex, 'm', { commutes }), x: [ex.newObject('x0', 'var'), ex.newObject('x1', 'var')], v: [0, 0] };
      ex.spawn('A', section(s, vars[0]));
      ex.spawn('B', section(s, vars[1]));
      return s;
    },
  });
}

function schedules(sc: Scenario<any>, commute = true): number {
  const r = explore(sc, new DfsStrategy({ dpor: true, commute }));
  expect(r.complete).toBe(true);
  return r.schedules;
}

describe('commuting mutexes', () => {
  it('disjoint critical sections of a commuting mutex are explored in one order; conflicting ones in both', () => {
    expect(schedules(twoSections(true, [0, 1]))).toBe(1);
    expect(schedules(twoSections(true, [0, 0]))).toBe(2);
    expect(schedules(twoSections(false, [0, 1]))).toBe(2);
    expect(schedules(twoSections(true, [0, 1]), false)).toBe(2);
  });

  // Catalogue entries whose scenarios DPOR completes in well under a second either way.
  const small = [
    ...mutants.filter((m) => m.system === 'netstack' && ['ns-register-vs-zone-create', 'ns-unregister-vs-zone-create', 'ns-walker-vs-destroy', 'ns-unload-reload'].includes(m.scenario)).map((m) => ({ name: m.mutant, scenario: m.scenario, mutant: m.mutant as string | null, params: m.find.params ?? {} })),
    ...findings.filter((f) => f.id === 'NS-2').map((f) => ({ name: f.id, scenario: f.scenario, mutant: null, params: f.find.params ?? {} })),
  ];

  it.each(small.map((s) => [s.name, s] as const))('netstack %s: commuting netstack_g_lock reaches the same outcomes as ordering it', (_n, s) => {
    const sc = findScenario(s.scenario)!;
    const outcomes = (commute: boolean) => {
      const set = new Set<string>();
      const r = explore(sc, new DfsStrategy({ dpor: true, commute }), {
        mutant: s.mutant,
        params: s.params,
        keepGoing: true,
        onExecution: (ex, res) => {
          if (!res.pruned) set.add(res.failure ? `fail ${res.failure.spec}` : `ok ${JSON.stringify(sc.snapshot!(ex.state, ex))}`);
        },
      });
      expect(r.complete).toBe(true);
      return { set, schedules: r.schedules };
    };
    const ordered = outcomes(false);
    const commuted = outcomes(true);
    expect([...commuted.set].sort()).toEqual([...ordered.set].sort());
    expect([...ordered.set].some((o) => o.startsWith('fail'))).toBe(true);
    expect(commuted.schedules).toBeLessThanOrEqual(ordered.schedules);
  });
});
