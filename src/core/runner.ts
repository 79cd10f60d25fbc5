/**
 * The runner: drives many executions of one scenario under a strategy until
 * a failure, the schedule budget, the time budget, a stop request, or the
 * end of an exhaustive search. Stop requests and time budgets are polled
 * between executions only: an execution is never cut in the middle, so a
 * stopped run reports whole schedules. Neither the model nor the runner
 * reads a clock: a time budget is the caller's `timeUp` callback (the api's
 * check() and nsm own the clock).
 */
import { Execution, type ExecOptions, type ExecResult, RunContext } from './execution.ts';
import type { Failure } from './failure.ts';
import type { Scenario } from './scenario.ts';
import type { OpenBranch, Strategy } from './strategy.ts';
import { DEFAULTS, resolveTarget, scheduleLimit, type SearchConfig, type TargetInput } from './config.ts';
import { ReplayStrategy } from './strategies/replay.ts';

/** What explore() takes: a target, the run-level knobs of a SearchConfig, and callbacks. */
export interface RunOptions extends TargetInput, Partial<Pick<SearchConfig, 'schedules' | 'guard'>> {
  /**
   * The time budget: polled between executions (after the first, so every
   * run has at least one schedule); true stops the run with stopped 'time'.
   * The caller owns the clock (for example
   * `const end = performance.now() + ms; timeUp: () => performance.now() > end`).
   */
  timeUp?: () => boolean;
  /**
   * Polled before every execution; true stops the run (SIGINT). The result
   * is partial: complete=false, the counts so far, the open branches.
   */
  shouldStop?: () => boolean;
  /** An AbortSignal (or any { aborted } flag), checked where shouldStop is. */
  signal?: { readonly aborted: boolean };
  // schedules: maximum executions (config.ts scheduleLimit: unbounded for
  // exhaustive strategies, DEFAULTS.sampledSchedules otherwise).
  // guard: run the access guard (core/guard.ts) on the first N executions
  // (DEFAULTS.guard; 0: off): an execution in which two threads write one
  // location in steps their footprints leave unordered fails with
  // 'undeclared-access', so a model that hides accesses from DPOR is never
  // certified.
  /** Keep going after a failure (count failures) instead of stopping. */
  keepGoing?: boolean;
  /** Run-wide context to use (to read coverage or the lock-order graph afterwards). */
  run?: RunContext;
  /** Called after each execution (progress, terminal-state collection). */
  onExecution?: (ex: Execution, res: ExecResult) => void;
}

export interface RunResult {
  scenario: string;
  strategy: string;
  mutant: string | null;
  /**
   * fail: a failure was found. pass: an exhaustive search finished (within
   * its bounds) without one. incomplete: an exhaustive search was cut short.
   * no-failure-found: a sampling strategy (random, pct) ran its schedules
   * without a failure, which proves nothing about the others.
   */
  verdict: 'pass' | 'fail' | 'incomplete' | 'no-failure-found';
  /** True when an exhaustive strategy explored everything within its bounds. */
  complete: boolean;
  schedules: number;
  steps: number;
  failures: number;
  /** First failure found, with the schedule that produced it. */
  failure: null | { failure: Failure; schedule: number[]; sigs: number[]; steps: number; execution: number };
  /**
   * Why the run ended before the strategy ran out of schedules: a stop
   * request (shouldStop or signal), the time budget (timeUp), the
   * schedule limit; null when it ended by itself (exhausted, or a failure).
   */
  stopped: null | 'stop' | 'time' | 'schedules';
  /**
   * Exhaustive strategies (dfs, dpor, portfolio with one): the open
   * branches left when the run ended, deepest first (choice-point depth and
   * the number of unexplored alternatives there); empty when complete,
   * null for strategies without a search tree.
   */
  openBranches: OpenBranch[] | null;
}

/** A scenario's execution options: its target resolved (config.ts resolveTarget), plus the scenario's own knobs. */
export function execOptions(sc: Scenario<any>, o: TargetInput, run: RunContext, record: boolean): ExecOptions {
  const { mutant, params, maxSteps } = resolveTarget(sc, o);
  return {
    mutant,
    params,
    maxSteps,
    // true: the default cap, one spurious wake-up per thread per execution.
    spurious: sc.spurious === true ? 1 : sc.spurious === false || sc.spurious === undefined ? 0 : sc.spurious,
    allocFail: sc.allocFail ?? false,
    record,
    run,
  };
}

/** The options that determine an execution, as a canonical string (hashed into tokens). */
export function optionsKey(opts: ExecOptions): string {
  const p = Object.keys(opts.params)
    .sort()
    .map((k) => `${k}=${String(opts.params[k])}`)
    .join(',');
  return `m=${opts.mutant ?? '-'};p=${p};s=${opts.maxSteps};sp=${opts.spurious};af=${opts.allocFail ? 1 : 0}`;
}

/** Executions the access guard watches by default at the start of every run (config.ts DEFAULTS). */
export const DEFAULT_GUARD = DEFAULTS.guard;

export function explore(sc: Scenario<any>, strategy: Strategy, o: RunOptions = {}): RunResult {
  const run = o.run ?? new RunContext();
  const base = execOptions(sc, o, run, false);
  const guarded: ExecOptions = { ...base, guard: true };
  const guardFirst = o.guard ?? DEFAULTS.guard;
  const limit = scheduleLimit(o.schedules, strategy.exhaustive);
  let schedules = 0;
  let steps = 0;
  let failures = 0;
  let first: RunResult['failure'] = null;
  let stopped: RunResult['stopped'] = null;
  for (;;) {
    if (schedules >= limit) {
      stopped = 'schedules';
      break;
    }
    if ((o.shouldStop && o.shouldStop()) || (o.signal && o.signal.aborted)) {
      stopped = 'stop';
      break;
    }
    if (schedules > 0 && o.timeUp && o.timeUp()) {
      stopped = 'time';
      break;
    }
    const chooser = strategy.next();
    if (!chooser) break;
    run.currentExecution = schedules;
    const ex = new Execution(sc, schedules < guardFirst ? guarded : base);
    const res = ex.run(chooser);
    strategy.finished(ex, res);
    o.onExecution?.(ex, res);
    schedules++;
    steps += res.steps;
    if (res.failure) {
      failures++;
      if (!first) first = { failure: res.failure, schedule: res.schedule.slice(), sigs: res.sigs.slice(), steps: res.steps, execution: schedules - 1 };
      if (!o.keepGoing) break;
    }
  }
  if (!first) {
    for (const [, check] of run.runChecks) {
      const f = check();
      if (f) {
        failures++;
        first = { failure: f, schedule: [], sigs: [], steps: 0, execution: -1 };
        break;
      }
    }
  }
  const complete = strategy.exhaustive && strategy.complete;
  return {
    scenario: sc.name,
    strategy: strategy.name,
    mutant: base.mutant,
    verdict: first ? 'fail' : complete ? 'pass' : strategy.exhaustive ? 'incomplete' : 'no-failure-found',
    complete,
    schedules,
    steps,
    failures,
    failure: first,
    stopped,
    openBranches: strategy.openBranches ? strategy.openBranches() : null,
  };
}

/** Run one schedule with full recording (replay, reports, shrinking). */
export function runSchedule(sc: Scenario<any>, schedule: readonly number[], o: TargetInput, sigs: readonly number[] | null = null): { ex: Execution; res: ExecResult } {
  const run = new RunContext();
  const ex = new Execution(sc, execOptions(sc, o, run, true));
  const res = ex.run(replayChooser(schedule, sigs));
  return { ex, res };
}

function replayChooser(schedule: readonly number[], sigs: readonly number[] | null) {
  return new ReplayStrategy(schedule, sigs).next()!;
}
