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
import type { Execution, ExecResult } from '../src/core/execution.ts';
import { explore } from '../src/core/runner.ts';
import type { ParamValue, Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { ipmpScenarios } from '../src/scenarios/ipmp/index.ts';

const ALL_HITS = 1e9;

function scenario(name: string): Scenario<any> {
  const sc = ipmpScenarios.find((s) => s.name === name);
  if (!sc) throw new Error(`no ipmp scenario ${name}`);
  return sc;
}

function outcome(ex: Execution, res: ExecResult): string {
  return `${res.failure ? `${res.failure.kind}:${res.failure.spec}` : 'ok'} ${ex.stateKey()}`;
}

/** DPOR, stateless or stateful (every hit checked), keeping going past failures: the set of outcomes it reaches. */
function outcomes(sc: Scenario<any>, params: Record<string, ParamValue>, stateCache: boolean) {
  const set = new Set<string>();
  const st = new DfsStrategy({ dpor: true, stateCache, checkHits: ALL_HITS });
  const r = explore(sc, st, {
    params: { ...sc.params, ...params },
    keepGoing: true,
    schedules: 20_000,
    onExecution: (ex, res) => {
      if (!res.pruned) set.add(outcome(ex, res));
    },
  });
  return { set, complete: r.complete, schedules: r.schedules, hits: st.cacheHits };
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
      const sc = scenario(name);
      const plain = outcomes(sc, params, false);
      const cached = outcomes(sc, params, true);
      expect(plain.complete).toBe(true);
      expect(cached.complete).toBe(true);
      // Failure-free ends: the same states exactly. Failures: the same specs
      // (where a failure stops an execution, the other threads may be at
      // any of the equivalent places DPOR picks one of).
      const ok = (set: Set<string>) => [...set].filter((k) => k.startsWith('ok ')).sort();
      const specs = (set: Set<string>) => [...new Set([...set].filter((k) => !k.startsWith('ok ')).map((k) => k.split(' ')[0]))].sort();
      expect(ok(cached.set)).toEqual(ok(plain.set));
      expect(ok(plain.set).length).toBeGreaterThan(0);
      expect(specs(cached.set)).toEqual(specs(plain.set));
      expect(cached.hits).toBeGreaterThan(0);
      expect(cached.schedules).toBeLessThanOrEqual(plain.schedules);
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
