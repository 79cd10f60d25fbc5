/**
 * nsm check: run one scenario under one strategy and report a verdict.
 */
import { explore, type RunResult } from '../core/runner.ts';
import type { ParamValue, Scenario } from '../core/scenario.ts';
import { makeStrategy, type StrategyName } from '../core/strategies.ts';
import { UsageError } from './errors.ts';
import { reportFailure, type FailureSummary } from './failure-report.ts';

export interface CheckOptions {
  strategy: StrategyName;
  seed: number;
  depth: number;
  schedules?: number;
  timeSec: number;
  preemptions?: number;
  delays?: number;
  mutant: string | null;
  params: Record<string, ParamValue>;
  shrink: boolean;
  write: boolean;
  stateCache?: boolean;
}

export interface CheckJson {
  scenario: string;
  strategy: string;
  mutant: string | null;
  verdict: 'pass' | 'fail' | 'incomplete';
  complete: boolean;
  schedules: number;
  steps: number;
  elapsedMs: number;
  failure: null | { spec: string; message: string; token: string; steps: number; preemptions: number };
}

export interface CheckOutcome {
  json: CheckJson;
  run: RunResult;
  failure: FailureSummary | null;
  lines: string[];
}

export function checkScenario(sc: Scenario<any>, o: CheckOptions): CheckOutcome {
  if (o.stateCache && !sc.stateHash) throw new UsageError(`scenario '${sc.name}' has no stateHash, so --state-cache cannot be used with it`);
  const strategy = makeStrategy(o.strategy, { seed: o.seed, depth: o.depth, preemptions: o.preemptions, delays: o.delays, stateCache: o.stateCache });
  const t0 = performance.now();
  const deadline = t0 + o.timeSec * 1000;
  const run = explore(sc, strategy, {
    mutant: o.mutant,
    params: o.params,
    schedules: o.schedules,
    timeUp: () => performance.now() > deadline,
  });
  const elapsedMs = Math.round(performance.now() - t0);
  let failure: FailureSummary | null = null;
  let lines: string[] = [];
  if (run.failure) {
    const r = reportFailure(sc, { mutant: o.mutant, params: o.params }, run.failure.schedule, run.failure.failure, { shrink: o.shrink, write: o.write });
    failure = r.summary;
    lines = r.lines;
  } else {
    const bound = run.complete ? 'complete' : 'not complete';
    lines = [`${run.verdict.padEnd(10)}${sc.name}${o.mutant ? ` (mutant ${o.mutant})` : ''}  ${run.schedules.toLocaleString('en-US')} schedules (${bound})  ${run.steps.toLocaleString('en-US')} steps  ${(elapsedMs / 1000).toFixed(2)} s  [${run.strategy}]`];
  }
  const json: CheckJson = {
    scenario: sc.name,
    strategy: run.strategy,
    mutant: o.mutant,
    verdict: run.verdict,
    complete: run.complete,
    schedules: run.schedules,
    steps: run.steps,
    elapsedMs,
    failure: failure ? { spec: failure.spec, message: failure.message, token: failure.token, steps: failure.steps, preemptions: failure.preemptions } : null,
  };
  return { json, run, failure, lines };
}
