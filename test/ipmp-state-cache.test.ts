/**
 * State caching on the ipmp model (Scenario.stateWalk, the frames its
 * functions declare with Execution.frame): stateful DPOR must reach the
 * same outcomes as stateless DPOR, find every catalogued ipmp mutant and
 * finding, and prove the clean and fixed variants complete; every hit is
 * checked against its first visit (checkHits), so a frame that misses a
 * local, or a queued continuation whose captures the walk cannot see,
 * fails here with ModelError.
 */
import { describe, expect, it } from 'vitest';
import { ipmpFindings, ipmpMutants } from '../src/bugs/ipmp.ts';
import { explore } from '../src/core/runner.ts';
import type { Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { ipmpScenarios } from '../src/scenarios/ipmp/index.ts';
import { expectSameOutcomes } from './state-cache-compare.ts';

function scenario(name: string): Scenario<any> {
  const sc = ipmpScenarios.find((s) => s.name === name);
  if (!sc) throw new Error(`no ipmp scenario ${name}`);
  return sc;
}

describe('stateful DPOR on the ipmp model', () => {
  // Unmodified, so the C code's races show (IPMP-1 in leave-timer, IPMP-2
  // in kstat-leave, IPMP-4 in leave-rejoin, IPMP-6 in bound-deactivate): the
  // failures must be the same specs both ways. (ipmp-join-join,
  // ipmp-exchange, ipmp-arp-destroy and leave-rejoin with fires=1 complete
  // only stateful within the budget; the mutant and finding tests below
  // prove their clean models there.)
  for (const [name, params] of [
    ['ipmp-leave-timer', {}],
    ['ipmp-kstat-leave', {}],
    ['ipmp-unplumb-queued', {}],
    ['ipmp-unplumb-kstat', {}],
    ['ipmp-unplumb-join', {}],
    ['ipmp-leave-rejoin', {}],
    ['ipmp-bound-deactivate', {}],
  ] as const) {
    it(`${name}${Object.keys(params).length ? ` (${JSON.stringify(params)})` : ''}: reaches exactly the outcomes of stateless DPOR, with every hit checked`, () => {
      expectSameOutcomes(scenario(name), params);
    });
  }

  it('finds every catalogued ipmp mutant in its scenario, with the catalogued spec, and proves its clean model complete', () => {
    const wrong: string[] = [];
    const proved = new Set<string>();
    for (const m of ipmpMutants) {
      const sc = scenario(m.scenario);
      const r = explore(sc, new DfsStrategy({ dpor: true, stateCache: true }), { mutant: m.mutant, params: { ...sc.params, ...(m.find.params ?? {}) }, schedules: 5_000 });
      if (r.failure?.failure.spec !== m.expect.spec) wrong.push(`${m.mutant}: ${r.verdict} ${r.failure?.failure.spec ?? ''}`);
      // The clean model, once per scenario and parameters (unbounded: the
      // catalogue's preemption bounds are for stateless DPOR's sake).
      const key = `${m.scenario} ${JSON.stringify(m.clean.params ?? {})}`;
      if (proved.has(key)) continue;
      proved.add(key);
      const clean = explore(sc, new DfsStrategy({ dpor: true, stateCache: true }), { params: { ...sc.params, ...(m.clean.params ?? {}) }, schedules: 20_000 });
      if (clean.verdict !== 'pass' || !clean.complete) wrong.push(`${key} clean: ${clean.verdict}, complete ${clean.complete}`);
    }
    expect(wrong).toEqual([]);
  });

  it('finds every ipmp finding in the unmodified model, and proves each fixed variant complete', () => {
    const wrong: string[] = [];
    for (const f of ipmpFindings) {
      const sc = scenario(f.scenario);
      const found = explore(sc, new DfsStrategy({ dpor: true, stateCache: true }), { params: { ...sc.params, ...(f.find.params ?? {}) }, schedules: 5_000 });
      if (found.failure?.failure.spec !== f.expect.spec) wrong.push(`${f.id} not found: ${found.verdict} ${found.failure?.failure.spec ?? ''}`);
      const fixed = explore(sc, new DfsStrategy({ dpor: true, stateCache: true }), { params: { ...sc.params, ...(f.fix.verify.params ?? {}), ...f.fix.params }, schedules: 20_000 });
      if (fixed.verdict !== 'pass' || !fixed.complete) wrong.push(`${f.id} fixed: ${fixed.verdict}, complete ${fixed.complete}`);
    }
    expect(wrong).toEqual([]);
  });
});
