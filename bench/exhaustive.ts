/**
 * Exhaustive verdicts on the three-thread netstack scenarios of issue 14:
 * stateful DPOR (`nsm check NAME --state-cache` with every fix switched on)
 * to completion or a cap, one scenario at a time on the main thread.
 */
import { explore } from '../src/core/runner.ts';
import { declaresState, type ParamValue, type Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { now } from './util.ts';

/** The scenarios the target names, and the fix switches they take. */
export const THREE_THREAD_NETSTACK = ['ns-lifecycle-vs-load-unload', 'ns-two-zones-module-reload', 'ns-register-vs-closing-two-reaps'] as const;

export interface ExhaustiveRow {
  scenario: string;
  /** The scenario's declared thread count (absent in results written before it). */
  threads?: number;
  strategy: string;
  complete: boolean;
  /** pass, fail (the spec), or incomplete (the cap). */
  verdict: string;
  schedules: number;
  steps: number;
  states: number;
  hits: number;
  seconds: number;
  /** This process's user+system CPU over the search. */
  cpuSeconds: number;
  capSeconds: number;
}

/** Every boolean parameter of sc named fix... switched on (the fixed model). */
export function allFixes(sc: Scenario<any>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(sc.params ?? {})) if (/^fix[A-Z]/.test(k) && typeof v === 'boolean') out[k] = true;
  return out;
}

/**
 * One exhaustive search of sc with every fix on: stateful DPOR where the
 * scenario declares its state, plain DPOR elsewhere.
 */
export function exhaustiveRow(sc: Scenario<any>, o: { capMs: number }): ExhaustiveRow {
  // The command's defaults: 100 hits checked; the access guard off, as in
  // the reduction table (it measures the search, not the guard).
  const st = new DfsStrategy({ dpor: true, stateCache: declaresState(sc) });
  const c0 = process.cpuUsage();
  const t0 = now();
  const end = t0 + o.capMs;
  const r = explore(sc, st, { guard: 0, params: allFixes(sc), timeUp: () => now() >= end });
  const c = process.cpuUsage(c0);
  return {
    scenario: sc.name,
    threads: sc.threads,
    strategy: st.name,
    complete: r.complete,
    verdict: r.failure ? `fail (${r.failure.failure.spec})` : r.complete ? 'pass' : 'incomplete',
    schedules: r.schedules,
    steps: r.steps,
    states: st.cache?.states ?? 0,
    hits: st.cacheHits,
    seconds: (now() - t0) / 1000,
    cpuSeconds: (c.user + c.system) / 1e6,
    capSeconds: o.capMs / 1000,
  };
}
