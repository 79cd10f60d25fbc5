/**
 * nsm check: run one scenario under one strategy and report a verdict.
 */
import { explore, type RunResult } from '../core/runner.ts';
import type { ParamValue, Scenario } from '../core/scenario.ts';
import { makeStrategy, type StrategyName } from '../core/strategies.ts';
import type { SearchProgress } from '../core/strategy.ts';
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
  /** Seconds between progress lines (to `progressLine`); 0 or absent: none. */
  progressEvery?: number;
  progressLine?: (line: string) => void;
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
  let schedules = 0;
  let steps = 0;
  let lastLine = t0;
  const every = (o.progressEvery ?? 0) * 1000;
  const run = explore(sc, strategy, {
    mutant: o.mutant,
    params: o.params,
    schedules: o.schedules,
    timeUp: () => performance.now() > deadline,
    onExecution:
      every > 0 && o.progressLine
        ? (_ex, res) => {
            schedules++;
            steps += res.steps;
            const now = performance.now();
            if (now - lastLine < every) return;
            lastLine = now;
            o.progressLine!(progressLine(sc.name, strategy.name, schedules, steps, now - t0, strategy.progress?.()));
          }
        : undefined,
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
    const n = run.schedules;
    lines = [`${run.verdict.padEnd(12)}${sc.name}${o.mutant ? ` (mutant ${o.mutant})` : ''}  ${n.toLocaleString('en-US')} schedule${n === 1 ? '' : 's'} (${bound})  ${run.steps.toLocaleString('en-US')} steps  ${(elapsedMs / 1000).toFixed(2)} s  [${run.strategy}]`];
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

/** One progress line: counts, rate, and for exhaustive searches the DFS position. */
export function progressLine(name: string, strategy: string, schedules: number, steps: number, ms: number, p?: SearchProgress): string {
  const rate = ms > 0 ? Math.round((schedules * 1000) / ms) : 0;
  let line = `... ${name} [${strategy}]  ${schedules.toLocaleString('en-US')} schedules  ${steps.toLocaleString('en-US')} steps  ${(ms / 1000).toFixed(0)} s  ${rate.toLocaleString('en-US')}/s`;
  if (p) line += `  depth ${p.depth}, ${p.open.toLocaleString('en-US')} open branches on the path`;
  return line;
}
