/**
 * One batch of a fuzz campaign: `schedules` executions of a scenario under a
 * random/PCT strategy seeded from (campaign seed, batch index), so a batch
 * is reproducible and campaigns can be split into shards and resumed by
 * batch. Runs in the main thread or in a worker thread; returns plain data.
 */
import { RunContext } from '../../core/execution.ts';
import { explore } from '../../core/runner.ts';
import type { ParamValue } from '../../core/scenario.ts';
import type { Strategy } from '../../core/strategy.ts';
import { PctStrategy } from '../../core/strategies/pct.ts';
import { PortfolioStrategy } from '../../core/strategies/portfolio.ts';
import { RandomStrategy } from '../../core/strategies/random.ts';
import { findScenario } from '../../scenarios/registry.ts';
import { coverageOf, type CoverageData } from '../coverage.ts';
import { buildFailure, type BuiltFailure } from '../failure-report.ts';

export type { FuzzStrategy } from '../../core/config.ts';
import type { FuzzStrategy } from '../../core/config.ts';

export interface BatchJob {
  scenario: string;
  strategy: FuzzStrategy;
  depth: number;
  seed: number;
  batch: number;
  schedules: number;
  mutant: string | null;
  params: Record<string, ParamValue>;
  /** Wall-clock deadline (ms since epoch), 0 for none. */
  deadline: number;
}

export interface BatchResult {
  batch: number;
  schedules: number;
  steps: number;
  /** True when the batch ran all its schedules (not cut by the deadline). */
  complete: boolean;
  failures: BuiltFailure[];
  coverage: CoverageData;
  elapsedMs: number;
}

/** The seed of batch b of a campaign with seed s. */
export function batchSeed(seed: number, batch: number): number {
  return (Math.imul(seed, 0x9e3779b1) + Math.imul(batch + 1, 0x85ebca6b)) >>> 0;
}

export function fuzzStrategy(name: FuzzStrategy, seed: number, depth: number): Strategy {
  if (name === 'random') return new RandomStrategy(seed);
  if (name === 'pct') return new PctStrategy(seed, depth);
  return new PortfolioStrategy([new RandomStrategy(seed), new PctStrategy(seed + 1, 1), new PctStrategy(seed + 2, 2), new PctStrategy(seed + 3, 3)]);
}

export function runBatch(job: BatchJob): BatchResult {
  const sc = findScenario(job.scenario);
  if (!sc) throw new Error(`no scenario ${job.scenario}`);
  const t0 = Date.now();
  const run = new RunContext();
  const firsts = new Map<string, { schedule: number[]; failure: import('../../core/failure.ts').Failure }>();
  const r = explore(sc, fuzzStrategy(job.strategy, batchSeed(job.seed, job.batch), job.depth), {
    mutant: job.mutant,
    params: job.params,
    schedules: job.schedules,
    // The access guard watches the first batch of a campaign (its first 100 schedules).
    guard: job.batch === 0 ? undefined : 0,
    keepGoing: true,
    run,
    timeUp: job.deadline ? () => Date.now() > job.deadline : undefined,
    onExecution: (_ex, res) => {
      if (res.failure && !firsts.has(res.failure.spec)) firsts.set(res.failure.spec, { schedule: res.schedule.slice(), failure: res.failure });
    },
  });
  const failures: BuiltFailure[] = [];
  for (const { schedule, failure } of firsts.values()) failures.push(buildFailure(sc, { mutant: job.mutant, params: job.params }, schedule, failure, { shrink: true }));
  if (r.failure && r.failure.execution < 0) failures.push(buildFailure(sc, { mutant: job.mutant, params: job.params }, [], r.failure.failure, { shrink: false }));
  return { batch: job.batch, schedules: r.schedules, steps: r.steps, complete: r.schedules >= job.schedules, failures, coverage: coverageOf(run), elapsedMs: Date.now() - t0 };
}
