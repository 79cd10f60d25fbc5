/**
 * State caching on the netstack model (Scenario.stateWalk, the frames its
 * functions declare with Execution.frame): stateful DPOR must reach the
 * same outcomes as stateless DPOR, find every catalogued netstack bug, and
 * prove the fixed variants; every hit is checked against its first visit
 * (checkHits), so a frame that misses a local fails here with ModelError.
 */
import { describe, expect, it } from 'vitest';
import { netstackFindings, netstackMutants } from '../src/bugs/netstack.ts';
import type { Execution, ExecResult } from '../src/core/execution.ts';
import { explore } from '../src/core/runner.ts';
import type { ParamValue, Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { netstackScenarios } from '../src/scenarios/netstack/index.ts';

const FIXES = { fixInactiveCoversCreates: true, fixShutdownInprogress: true, fixReapWaitsForWaiters: true };
const ALL_HITS = 1e9;

function scenario(name: string): Scenario<any> {
  const sc = netstackScenarios.find((s) => s.name === name);
  if (!sc) throw new Error(`no netstack scenario ${name}`);
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
      expect(specs(cached.set)).toEqual(specs(plain.set));
      expect(cached.hits).toBeGreaterThan(0);
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
