/**
 * What the model state-cache tests (netstack, ipmp) share: stateless and
 * stateful DPOR of one scenario, every hit checked against its first visit,
 * compared by their outcomes.
 */
import { expect } from 'vitest';
import type { Execution, ExecResult } from '../src/core/execution.ts';
import { explore } from '../src/core/runner.ts';
import type { ParamValue, Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';

const ALL_HITS = 1e9;

function outcome(ex: Execution, res: ExecResult): string {
  return `${res.failure ? `${res.failure.kind}:${res.failure.spec}` : 'ok'} ${ex.stateKey()}`;
}

/** DPOR, stateless or stateful (every hit checked), keeping going past failures: the set of outcomes it reaches. */
function outcomes(sc: Scenario<any>, params: Record<string, ParamValue>, stateCache: boolean, partialHits = true) {
  const set = new Set<string>();
  const st = new DfsStrategy({ dpor: true, stateCache, partialHits, checkHits: ALL_HITS });
  const r = explore(sc, st, {
    params: { ...sc.params, ...params },
    keepGoing: true,
    schedules: 20_000,
    onExecution: (ex, res) => {
      if (!res.pruned) set.add(outcome(ex, res));
    },
  });
  return { set, complete: r.complete, hits: st.cacheHits, partial: st.partialHits, schedules: r.schedules };
}

/**
 * Both searches complete; failure-free ends are the same states exactly,
 * failures the same specs (where a failure stops an execution, the other
 * threads may be at any of the equivalent places DPOR picks one of); the
 * cache was hit. `partialHits: false` compares the stateful search without
 * partial hits (DfsOptions.partialHits). (Not fewer schedules: stateful DPOR orders commuting
 * mutexes, so on netstack it may run more.)
 */
export function expectSameOutcomes(sc: Scenario<any>, params: Record<string, ParamValue>, partialHits = true): { partial: number; schedules: number } {
  const plain = outcomes(sc, params, false);
  const cached = outcomes(sc, params, true, partialHits);
  expect(plain.complete).toBe(true);
  expect(cached.complete).toBe(true);
  const ok = (set: Set<string>) => [...set].filter((k) => k.startsWith('ok ')).sort();
  const specs = (set: Set<string>) => [...new Set([...set].filter((k) => !k.startsWith('ok ')).map((k) => k.split(' ')[0]))].sort();
  expect(ok(cached.set)).toEqual(ok(plain.set));
  expect(ok(plain.set).length).toBeGreaterThan(0);
  expect(specs(cached.set)).toEqual(specs(plain.set));
  expect(cached.hits).toBeGreaterThan(0);
  return { partial: cached.partial, schedules: cached.schedules };
}
