/**
 * State caching on the netstack model (Scenario.stateWalk, the frames its
 * functions declare with Execution.frame): stateful DPOR must reach the
 * same outcomes as stateless DPOR, find every catalogued netstack bug, and
 * prove the fixed variants; every hit is checked against its first visit
 * (checkHits), so a frame that misses a local fails here with ModelError.
 */
import { describe, expect, it } from 'vitest';
import { netstackFindings, netstackMutants } from '../src/bugs/netstack.ts';
import { explore } from '../src/core/runner.ts';
import type { Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { netstackScenarios } from '../src/scenarios/netstack/index.ts';
import { expectSameOutcomes } from './state-cache-compare.ts';

const FIXES = { fixInactiveCoversCreates: true, fixShutdownInprogress: true, fixReapWaitsForWaiters: true };

function scenario(name: string): Scenario<any> {
  const sc = netstackScenarios.find((s) => s.name === name);
  if (!sc) throw new Error(`no netstack scenario ${name}`);
  return sc;
}

describe('stateful DPOR on the netstack model', () => {
  for (const [name, params] of [
    ['ns-register-vs-zone-create', FIXES],
    ['ns-unregister-vs-zone-create', {}],
    ['ns-lookup-vs-destroy', FIXES],
    ['ns-walker-vs-destroy', {}],
    ['ns-shared-zone-vs-modules', FIXES],
    ['ns-register-vs-zone-teardown', {}],
  ] as const) {
    it(`${name}${Object.keys(params).length ? ' (fixes on)' : ''}: reaches exactly the outcomes of stateless DPOR, with every hit checked`, () => {
      expectSameOutcomes(scenario(name), params);
    });
  }

  // Partial hits (state-cache.ts): a finished state met again with a thread
  // awake that slept at its first visit is explored for that thread only.
  for (const name of ['ns-lookup-vs-destroy', 'ns-reap-limiter', 'ns-register-vs-zone-teardown'] as const) {
    it(`${name} (fixes on): partial hits are met, and the search reaches exactly stateless DPOR's outcomes with them and without, in fewer schedules with them`, () => {
      const on = expectSameOutcomes(scenario(name), FIXES);
      const off = expectSameOutcomes(scenario(name), FIXES, false);
      expect(on.partial).toBeGreaterThan(0);
      expect(on.schedules).toBeLessThan(off.schedules);
    });
  }

  it('finds every catalogued netstack mutant in its scenario, with the catalogued spec', () => {
    const missed: string[] = [];
    for (const m of netstackMutants) {
      const sc = scenario(m.scenario);
      const st = new DfsStrategy({ dpor: true, stateCache: true });
      const r = explore(sc, st, { mutant: m.mutant, params: { ...sc.params, ...(m.find.params ?? {}) }, schedules: 5_000 });
      if (r.failure?.failure.spec !== m.expect.spec) missed.push(`${m.mutant}: ${r.verdict} ${r.failure?.failure.spec ?? ''}`);
    }
    expect(missed).toEqual([]);
  });

  it('finds every netstack finding (with the other findings\' fixes its entry names), and proves each fixed variant complete', () => {
    const wrong: string[] = [];
    for (const f of netstackFindings) {
      const sc = scenario(f.scenario);
      const found = explore(sc, new DfsStrategy({ dpor: true, stateCache: true }), { params: { ...sc.params, ...(f.find.params ?? {}) }, schedules: 5_000 });
      if (found.failure?.failure.spec !== f.expect.spec) wrong.push(`${f.id} not found: ${found.verdict} ${found.failure?.failure.spec ?? ''}`);
      const fixed = explore(sc, new DfsStrategy({ dpor: true, stateCache: true }), { params: { ...sc.params, ...(f.fix.verify.params ?? f.fix.params) }, schedules: 20_000 });
      if (fixed.verdict !== 'pass' || !fixed.complete) wrong.push(`${f.id} fixed: ${fixed.verdict}, complete ${fixed.complete}`);
    }
    expect(wrong).toEqual([]);
  });
});
