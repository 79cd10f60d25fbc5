/**
 * Reduction: schedules to completion of plain DFS, DPOR, DPOR with commuting
 * locks ordered (where a scenario has them), and stateful DPOR (state
 * caching, where the scenario declares a stateHash) on every registered scenario small
 * enough, distinct terminal states, and DPOR's terminal count against the
 * number of Mazurkiewicz trace classes where that number is known.
 */
import { declaresState, type ParamValue, type Scenario } from '../src/core/scenario.ts';
import { explore } from '../src/core/runner.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { now, terminalStateKey } from './util.ts';

export interface SearchStats {
  strategy: string;
  complete: boolean;
  /** Executions run (terminal + pruned). */
  executions: number;
  /** Non-pruned executions (strategy.terminal): "schedules" in the ratios. */
  terminal: number;
  pruned: number;
  steps: number;
  /** Distinct terminal states among the terminal executions. */
  states: number;
  /** Verdicts seen (spec -> count of executions). */
  verdicts: Record<string, number>;
  ms: number;
  stoppedBy: 'complete' | 'schedule cap' | 'time cap' | 'error';
  error?: string;
  /** The scenario has commuting locks (KMutex/KRwlock `commutes`, e.g. netstack_g_lock). */
  hasCommuting?: boolean;
  /** Stateful DPOR: executions stopped at a finished state, and the distinct states seen. */
  cacheHits?: number;
  cachedStates?: number;
}

export interface ReductionRow {
  scenario: string;
  params: Record<string, ParamValue>;
  threads: number;
  dfs: SearchStats;
  dpor: SearchStats;
  /** DPOR with every critical section ordered (commute: false), for scenarios with commuting locks; null otherwise. */
  dporOrdered: SearchStats | null;
  /** Stateful DPOR (state caching with summaries), for scenarios that declare their state (stateHash or stateWalk); null otherwise. */
  dporCache: SearchStats | null;
  /** DPOR with wakeup trees, where plain DPOR had sleep-set-blocked executions; null otherwise. */
  dporWakeup: SearchStats | null;
  /** dpor.terminal / dfs.terminal when both complete. */
  ratio: number | null;
  /** Both complete and found the same number of distinct terminal states. */
  sameStates: boolean | null;
  /** Known number of Mazurkiewicz trace classes (null when unknown). */
  traceClasses: number | null;
  /** dpor.terminal / traceClasses. */
  classRatio: number | null;
}

export function search(sc: Scenario<any>, dpor: boolean, o: { schedules: number; ms: number; params?: Record<string, ParamValue> }, commute = true, stateCache = false, wakeup = false): SearchStats {
  const st = new DfsStrategy({ dpor, commute, stateCache, wakeup });
  let hasCommuting = false;
  const states = new Set<string>();
  const verdicts: Record<string, number> = {};
  const t0 = now();
  const end = t0 + o.ms;
  let timedOut = false;
  try {
    const r = explore(sc, st, {
      // The guard is off: this measures the search (docs/engine.md, the access guard).
      guard: 0,
      params: o.params,
      schedules: o.schedules,
      keepGoing: true,
      timeUp: () => (now() >= end ? (timedOut = true) : false),
      onExecution: (ex, res) => {
        hasCommuting ||= ex.hasCommuting;
        if (res.pruned) return;
        states.add(terminalStateKey(ex, res));
        const v = res.failure ? res.failure.spec : 'ok';
        verdicts[v] = (verdicts[v] ?? 0) + 1;
      },
    });
    return {
      strategy: st.name,
      complete: r.complete,
      executions: r.schedules,
      terminal: st.terminal,
      pruned: st.pruned,
      steps: r.steps,
      states: states.size,
      verdicts,
      ms: now() - t0,
      stoppedBy: r.complete ? 'complete' : timedOut ? 'time cap' : 'schedule cap',
      hasCommuting,
      ...(st.cache ? { cacheHits: st.cacheHits, cachedStates: st.cache.states } : {}),
    };
  } catch (e) {
    return { strategy: st.name, complete: false, executions: 0, terminal: st.terminal, pruned: st.pruned, steps: 0, states: states.size, verdicts, ms: now() - t0, stoppedBy: 'error', error: String((e as Error)?.message ?? e) };
  }
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/**
 * Known trace-class counts. tb-counter (clean) with n threads: each thread's
 * only dependent steps are its mutex_enter/exit pair on one lock, so the
 * classes are the n! orders of the critical sections.
 */
export function knownTraceClasses(sc: Scenario<any>, params: Record<string, ParamValue>): number | null {
  if (sc.name === 'tb-counter') return factorial(Number(params.threads ?? sc.params?.threads ?? 2));
  return null;
}

export function reductionRow(sc: Scenario<any>, o: { schedules: number; ms: number; params?: Record<string, ParamValue> }): ReductionRow {
  const params = { ...(sc.params ?? {}), ...(o.params ?? {}) };
  const dfs = search(sc, false, o);
  const dpor = search(sc, true, o);
  const dporOrdered = dpor.hasCommuting ? search(sc, true, o, false) : null;
  const dporCache = declaresState(sc) ? search(sc, true, o, true, true) : null;
  const dporWakeup = dpor.pruned > 0 ? search(sc, true, o, true, false, true) : null;
  const both = dfs.complete && dpor.complete;
  const classes = knownTraceClasses(sc, params);
  return {
    scenario: sc.name,
    params,
    threads: typeof params.threads === 'number' ? params.threads : sc.threads,
    dfs,
    dpor,
    dporOrdered,
    dporCache,
    dporWakeup,
    ratio: both && dfs.terminal > 0 ? dpor.terminal / dfs.terminal : null,
    sameStates: both ? dfs.states === dpor.states : null,
    traceClasses: classes,
    classRatio: classes && dpor.complete ? dpor.terminal / classes : null,
  };
}
