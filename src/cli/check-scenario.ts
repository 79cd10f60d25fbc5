/**
 * nsm check: run one scenario under one strategy and report a verdict.
 */
import { RunContext } from '../core/execution.ts';
import { explore, type RunOptions, type RunResult } from '../core/runner.ts';
import { coverageOf, transitionPercent } from './coverage.ts';
import { declaresState, type Scenario } from '../core/scenario.ts';
import { DEFAULTS, makeStrategy, scheduleLimit, type SearchConfig, type Target } from '../core/config.ts';
import { IterativeBoundStrategy } from '../core/strategies/iterative.ts';
import { DfsStrategy } from '../core/strategies/dfs.ts';
import type { ShardReport } from '../core/strategies/split.ts';
import type { SearchProgress } from '../core/strategy.ts';
import { UsageError } from './errors.ts';
import { reportFailure, type FailureSummary } from './failure-report.ts';

/** A verdict as the text output prints it: a sampling search that found nothing is 'no failure', never 'pass'. */
export function verdictText(v: RunResult['verdict']): string {
  return v === 'no-failure-found' ? 'no failure' : v;
}

/** nsm check's options: a SearchConfig (guard optional: DEFAULTS.guard), the target's mutant and params, and the cli's own. */
export interface CheckOptions extends Omit<SearchConfig, 'guard'>, Partial<Pick<SearchConfig, 'guard'>>, Pick<Target, 'mutant' | 'params'> {
  timeSec: number;
  shrink: boolean;
  write: boolean;
  /** nsm check --workers: the shards of a split search in worker threads (check-parallel.ts), cut at splitDepth. */
  workers?: number;
  splitDepth?: number;
  /** Seconds between progress lines (to `progressLine`); 0 or absent: none. */
  progressEvery?: number;
  progressLine?: (line: string) => void;
  /**
   * Cache states if the scenario declares its state (stateHash or
   * stateWalk): nsm's default dpor search, which --no-state-cache turns off.
   * A scenario that declares none is searched without.
   */
  autoStateCache?: boolean;
}

export interface CheckJson {
  scenario: string;
  strategy: string;
  mutant: string | null;
  verdict: 'pass' | 'fail' | 'incomplete' | 'no-failure-found';
  complete: boolean;
  /** Why the search stopped before its end: 'stop' (Ctrl-C), 'time' (--time), 'schedules' (--schedules), or null. */
  stopped: RunResult['stopped'];
  /** Depth-first searches: where work was left, deepest first (null for random and pct). */
  openBranches: RunResult['openBranches'];
  schedules: number;
  steps: number;
  elapsedMs: number;
  failure: null | { spec: string; message: string; token: string; steps: number; preemptions: number };
  /** A split search (--shard): which prefixes this shard closed; `nsm merge` proves the shards complete. */
  shard?: ShardReport;
  /** State caching (--state-cache, or the default dpor search where the scenario declares its state): distinct states seen, executions stopped at one seen before, and those checked (DfsOptions.checkHits). */
  /** The state cache: distinct states, hits (executions stopped at a finished state), hits checked, partial hits (states explored again only for the threads asleep at their first visit). */
  cache?: { states: number; hits: number; checked: number; partial: number };
}

export interface CheckOutcome {
  json: CheckJson;
  run: RunResult;
  failure: FailureSummary | null;
  lines: string[];
}

/** Set by SIGINT during a check: the running search stops at its next execution and reports what it did. */
let interrupted = false;

export function wasInterrupted(): boolean {
  return interrupted;
}

/** Stop the running check as SIGINT does (a worker thread gets no signals: its parent asks). */
export function requestStop(): void {
  interrupted = true;
}

/**
 * Explore in slices of about 100 ms, yielding to the event loop between
 * slices so that a SIGINT handler can run: the search itself is
 * synchronous, and a signal is only delivered between tasks. Slices share
 * the strategy and the run context, so the executions are exactly those of
 * one uninterrupted explore(); only the counts are summed here.
 */
async function exploreSliced(sc: Scenario<any>, strategy: ReturnType<typeof makeStrategy>, o: Omit<RunOptions, 'run' | 'shouldStop' | 'timeUp' | 'timeMs'>, deadline: number, run: RunContext): Promise<RunResult> {
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  let total: RunResult | null = null;
  try {
    for (;;) {
      const sliceEnd = performance.now() + 100;
      const done = total?.schedules ?? 0;
      const left = o.schedules === undefined ? undefined : o.schedules - done;
      // One guard budget for the whole search: the first N executions of all slices.
      const guard = Math.max(0, (o.guard ?? DEFAULTS.guard) - done);
      const r = explore(sc, strategy, { ...o, schedules: left, guard, run, shouldStop: () => interrupted || performance.now() > sliceEnd, timeUp: () => performance.now() > deadline });
      total = total
        ? { ...r, schedules: total.schedules + r.schedules, steps: total.steps + r.steps, failures: total.failures + r.failures, failure: r.failure ? { ...r.failure, execution: r.failure.execution < 0 ? -1 : total.schedules + r.failure.execution } : null }
        : r;
      if (r.stopped !== 'stop' || interrupted) break;
      if (performance.now() > deadline) {
        total.stopped = 'time';
        break;
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  return total!;
}

export async function checkScenario(sc: Scenario<any>, given: CheckOptions): Promise<CheckOutcome> {
  const o = given.autoStateCache && !given.stateCache && declaresState(sc) ? { ...given, stateCache: true } : given;
  if (o.stateCache && !declaresState(sc)) throw new UsageError(`scenario '${sc.name}' declares no state (stateHash or stateWalk), so --state-cache cannot be used with it`);
  const strategy = makeStrategy(o.strategy, o);
  const t0 = performance.now();
  const deadline = t0 + o.timeSec * 1000;
  let schedules = 0;
  let steps = 0;
  let lastLine = t0;
  const every = (o.progressEvery ?? 0) * 1000;
  const ctx = new RunContext();
  const run = await exploreSliced(
        sc,
        strategy,
        {
          mutant: o.mutant,
          params: o.params,
          guard: o.guard,
          // The default limit of a sampling strategy, fixed once for all the slices.
          schedules: o.schedules ?? (strategy.exhaustive ? undefined : scheduleLimit(undefined, false)),
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
        },
        deadline,
        ctx,
      );
  const elapsedMs = Math.round(performance.now() - t0);
  const bounds = strategy instanceof IterativeBoundStrategy ? `  ${strategy.kind === 'delays' ? 'delay' : 'preemption'} bounds: ${strategy.summary()}${run.failure ? `; found within bound ${strategy.bound}` : ''}` : null;
  let failure: FailureSummary | null = null;
  let lines: string[] = [];
  if (run.failure) {
    const r = reportFailure(sc, { mutant: o.mutant, params: o.params }, run.failure.schedule, run.failure.failure, { shrink: o.shrink, write: o.write });
    failure = r.summary;
    lines = r.lines;
    if (bounds) lines.splice(1, 0, bounds);
  } else {
    const bound = run.complete ? 'complete' : strategy.exhaustive ? 'not complete' : 'sampled, not exhaustive';
    const n = run.schedules;
    const verdict = run.stopped === 'stop' ? 'incomplete' : verdictText(run.verdict);
    lines = [`${verdict.padEnd(12)}${sc.name}${o.mutant ? ` (mutant ${o.mutant})` : ''}  ${n.toLocaleString('en-US')} schedule${n === 1 ? '' : 's'} (${bound})  ${run.steps.toLocaleString('en-US')} steps  ${(elapsedMs / 1000).toFixed(2)} s  [${run.strategy}]`];
    if (bounds) lines.push(bounds);
    const sr = strategy instanceof DfsStrategy ? strategy.shardReport() : null;
    const cache = cacheStats(strategy);
    if (cache) lines.push(`  state cache: ${cache.states.toLocaleString('en-US')} states, ${cache.hits.toLocaleString('en-US')} executions stopped at a state seen before (${cache.checked} of them checked against its first visit)${cache.partial > 0 ? `, ${cache.partial.toLocaleString('en-US')} partial hits (a state seen before, explored again only for threads that slept there)` : ''}`);
    if (sr) lines.push(`  shard ${sr.shard}/${sr.shards}: closed ${sr.closed.length} of the ${sr.prefixes} prefixes at depth ${sr.depth} (tree ${sr.tree}); \`nsm merge\` the shards' --json outputs to prove the whole search complete`);
    if ((!run.complete && strategy.exhaustive) || run.stopped === 'stop') lines.push(...partialReport(run, ctx, o.timeSec));
  }
  const json: CheckJson = {
    scenario: sc.name,
    strategy: run.strategy,
    mutant: o.mutant,
    verdict: !run.failure && run.stopped === 'stop' ? 'incomplete' : run.verdict,
    complete: run.complete,
    stopped: run.stopped,
    openBranches: run.openBranches,
    schedules: run.schedules,
    steps: run.steps,
    elapsedMs,
    failure: failure ? { spec: failure.spec, message: failure.message, token: failure.token, steps: failure.steps, preemptions: failure.preemptions } : null,
  };
  const shard = strategy instanceof DfsStrategy ? strategy.shardReport() : null;
  if (shard) json.shard = shard;
  const cache = cacheStats(strategy);
  if (cache) json.cache = cache;
  return { json, run, failure, lines };
}

function cacheStats(strategy: unknown): CheckJson['cache'] | null {
  if (!(strategy instanceof DfsStrategy) || strategy.cache === null) return null;
  return { states: strategy.cache.states, hits: strategy.cacheHits, checked: strategy.hitsChecked, partial: strategy.partialHits };
}

/** What a search that stopped early did and left: why, where, coverage so far. */
function partialReport(run: RunResult, ctx: RunContext, timeSec: number): string[] {
  const why = run.stopped === 'stop' ? 'interrupted (Ctrl-C)' : run.stopped === 'time' ? `stopped by the time budget (--time ${timeSec})` : run.stopped === 'schedules' ? 'stopped by --schedules' : 'stopped';
  const out = [`  ${why}: the ${run.schedules.toLocaleString('en-US')} schedules explored found no failure`];
  const ob = run.openBranches ?? [];
  if (ob.length) out.push(`  deepest open branches: ${ob.slice(0, 5).map((b) => `depth ${b.depth} (step ${b.step}, ${b.open} left)`).join(', ')}`);
  const cov = coverageOf(ctx);
  if (Object.keys(cov.totals).length) out.push(`  machine transitions reached so far: ${transitionPercent(cov).toFixed(1)}% (nsm coverage for the detail)`);
  return out;
}

/** One progress line: counts, rate, and for exhaustive searches the DFS position. */
export function progressLine(name: string, strategy: string, schedules: number, steps: number, ms: number, p?: SearchProgress): string {
  const rate = ms > 0 ? Math.round((schedules * 1000) / ms) : 0;
  let line = `... ${name} [${strategy}]  ${schedules.toLocaleString('en-US')} schedules  ${steps.toLocaleString('en-US')} steps  ${(ms / 1000).toFixed(0)} s  ${rate.toLocaleString('en-US')}/s`;
  if (p) line += `  depth ${p.depth}, ${p.open.toLocaleString('en-US')} open branches on the path`;
  return line;
}
