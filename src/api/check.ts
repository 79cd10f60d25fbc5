/**
 * The library's entry points for a test suite: `check` explores a scenario
 * and throws a CheckFailure whose message is the block `nsm check` prints
 * (violated spec, shrunk timeline, replay token, a line to paste into a
 * test); `replay` re-runs a token. Usable from any test runner: a thrown
 * error is all they need.
 *
 * This layer reads the wall clock for the time budget only (never inside an
 * execution: the model stays deterministic).
 */
import type { Failure } from '../core/failure.ts';
import { explore, type RunResult } from '../core/runner.ts';
import type { Scenario } from '../core/scenario.ts';
import { ConfigError, makeStrategy, resolveSearch, resolveTarget, type SearchConfig, type StrategyName, type Target } from '../core/config.ts';
import type { Strategy } from '../core/strategy.ts';
import { buildFailure, type FailureSummary } from '../core/trace/failure-block.ts';
import { replayToken, type Replayed } from '../core/trace/replay.ts';
import { countPreemptions, formatTimeline } from '../core/trace/report.ts';

/**
 * How to explore: a SearchConfig and a target, every field optional; the
 * defaults are config.ts DEFAULTS (written there and nowhere else).
 */
export interface CheckConfig extends Partial<Omit<SearchConfig, 'strategy'>>, Partial<Pick<Target, 'mutant' | 'params' | 'maxSteps'>> {
  /**
   * `dpor` (default: every interleaving, with reduction), `dfs`, `ipb`
   * (iterative preemption bounding: bounded DPOR rounds 0..`preemptions`,
   * default 3), `idb` (iterative delay bounding: bounded DFS rounds
   * 0..`delays`, default 3), `random`, `pct`, `portfolio`, or a Strategy object.
   * The others: seed (default 1), depth (PCT d, default 3), pctSteps (PCT k,
   * default learnt), schedules (default unbounded for dfs/dpor, 1,000
   * otherwise), preemptions (dfs, dpor; the largest bound of ipb), delays
   * (dfs; the largest bound of idb), mutant (one of the scenario's
   * `mutants`), params (checked against their declared types), guard (the
   * access guard watches the first N executions, default 100, 0 off: a
   * state write by two threads in steps their footprints leave unordered
   * fails with kind 'undeclared-access', docs/engine.md), maxSteps (default
   * the scenario's, else 5,000), stateCache (dfs, dpor: stateful search of a
   * scenario that declares its state; off unless set, unlike nsm check's
   * default dpor search), checkHits (with stateCache, default 100).
   */
  strategy?: StrategyName | Strategy;
  /** Stop after this many milliseconds of wall-clock time (default: no limit). */
  timeMs?: number;
  /** Shrink a failing schedule before reporting it (default true). */
  shrink?: boolean;
  /**
   * An exhaustive search that stops early (budget) is an error unless this
   * is false (default true): "no failure in N schedules" is not "verified".
   */
  requireComplete?: boolean;
}

/** What a check that found no failure reports. */
export interface CheckReport {
  scenario: string;
  strategy: string;
  mutant: string | null;
  /** 'pass' (exhaustive and complete), 'no-failure-found' (sampled or stopped early). */
  verdict: 'pass' | 'no-failure-found';
  complete: boolean;
  schedules: number;
  steps: number;
}

/** A failing schedule, shrunk: `message` is what `nsm check` prints. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
  constructor(
    message: string,
    readonly failure: Failure,
    /** Replay token of the shrunk schedule ('' for run-wide failures such as lock-order cycles). */
    readonly token: string,
    readonly summary: FailureSummary,
    readonly result: RunResult,
  ) {
    super(message);
  }
}

/** An exhaustive search ran out of budget before it was complete. */
export class IncompleteSearch extends Error {
  override name = 'IncompleteSearch';
  constructor(message: string, readonly report: CheckReport) {
    super(message);
  }
}

function strategyOf(c: CheckConfig): Strategy {
  if (c.strategy !== undefined && typeof c.strategy !== 'string') return c.strategy;
  const search = resolveSearch({ ...c, strategy: c.strategy }, 'field');
  return makeStrategy(search.strategy, search);
}

/**
 * Explore `sc` under `config`. Returns a report when no failure is found;
 * throws CheckFailure (with the shrunk timeline and replay token in its
 * message) when one is, and IncompleteSearch when an exhaustive search was
 * stopped by its budget and `requireComplete` is not false.
 *
 * @example
 * check(handoff, { maxSteps: 50 });                       // every interleaving
 * check(handoff, { strategy: 'pct', depth: 2, schedules: 5000 });
 */
export function check(sc: Scenario<any>, config: CheckConfig = {}): CheckReport {
  if (typeof sc !== 'object' || sc === null || typeof (sc as Scenario<any>).setup !== 'function') {
    const got = typeof sc === 'string' ? `the string '${sc}'` : String(sc);
    throw new ConfigError(`check() takes a scenario (defineScenario, or findScenario(name) from 'netstack-model/models'), not ${got}`);
  }
  const strategy = strategyOf(config);
  const target = resolveTarget(sc, config);
  const t0 = performance.now();
  const timeUp = config.timeMs === undefined ? undefined : () => performance.now() - t0 > config.timeMs!;
  const run = explore(sc, strategy, { ...target, schedules: config.schedules, guard: config.guard, timeUp });
  const label = `${sc.name}${target.mutant ? ` (mutant ${target.mutant})` : ''}`;
  if (run.failure) {
    const b = buildFailure(sc, target, run.failure.schedule, run.failure.failure, { shrink: config.shrink ?? true });
    const message = [...b.lines, `  found by ${run.strategy} after ${run.schedules.toLocaleString('en-US')} schedule${run.schedules === 1 ? '' : 's'}`].join('\n');
    throw new CheckFailure(message, run.failure.failure, b.summary.token, b.summary, run);
  }
  const report: CheckReport = {
    scenario: sc.name,
    strategy: run.strategy,
    mutant: target.mutant,
    verdict: run.complete ? 'pass' : 'no-failure-found',
    complete: run.complete,
    schedules: run.schedules,
    steps: run.steps,
  };
  if (strategy.exhaustive && !run.complete && (config.requireComplete ?? true)) {
    throw new IncompleteSearch(
      `${label}: the ${run.strategy} search stopped after ${run.schedules.toLocaleString('en-US')} schedules without exploring every interleaving ` +
        `(raise 'schedules'/'timeMs', add a 'preemptions' bound, or pass requireComplete: false)`,
      report,
    );
  }
  return report;
}

/** Where `replay` finds the scenario a token names. */
export type ScenarioSource = Scenario<any> | readonly Scenario<any>[] | ((name: string) => Scenario<any> | undefined);

export function lookupIn(src: ScenarioSource): (name: string) => Scenario<any> | undefined {
  if (typeof src === 'function') return src;
  const list = Array.isArray(src) ? src : [src as Scenario<any>];
  return (name) => list.find((s) => s.name === name);
}

/** A replayed token: its execution, verdict and timeline. */
export interface ReplayReport {
  scenario: string;
  mutant: string | null;
  verdict: 'pass' | 'fail';
  failure: Failure | null;
  steps: number;
  preemptions: number;
  /** The per-thread timeline, one string per line. */
  timeline: string[];
  replayed: Replayed;
}

/**
 * Re-run a replay token bit-exactly against `scenarios`. Throws TokenError
 * (one line) for a token that names another scenario or other options; a
 * schedule that no longer fits the model replays to a 'divergence' failure.
 *
 * @example
 * const r = replay('nsm1:handoff:-:-:...', handoff);
 * expect(r.failure?.spec).toBe('kassert');
 */
export function replay(token: string, scenarios: ScenarioSource): ReplayReport {
  const r = replayToken(token, lookupIn(scenarios));
  const f = r.res.failure;
  return {
    scenario: r.scenario.name,
    mutant: r.target.mutant ?? null,
    verdict: f ? 'fail' : 'pass',
    failure: f,
    steps: r.res.steps,
    preemptions: countPreemptions(r.ex),
    timeline: formatTimeline(r.ex),
    replayed: r,
  };
}
