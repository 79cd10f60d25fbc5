/**
 * Throughput: steps/s and schedules/s of random and PCT (d=3) on the
 * lock-heavy workloads, in the main thread (one core), best of N
 * repetitions, with peak memory per measurement.
 */
import { explore } from '../src/core/runner.ts';
import type { Scenario } from '../src/core/scenario.ts';
import { makeStrategy } from '../src/core/config.ts';
import { MemSampler, now } from './util.ts';

export interface ThroughputRow {
  scenario: string;
  strategy: string;
  reps: number;
  /** Best repetition (by steps/s). */
  stepsPerSec: number;
  schedulesPerSec: number;
  /** Same repetition, per second of this process's CPU time (less sensitive to a shared machine). */
  stepsPerCpuSec: number;
  stepsPerSchedule: number;
  /** Every repetition's steps/s, for the spread. */
  allStepsPerSec: number[];
  peakRssMB: number;
  heapGrowthMB: number;
}

export interface ThroughputOptions {
  reps: number;
  /** Wall clock per repetition. */
  ms: number;
  /** Warm-up (JIT) wall clock before the first repetition. */
  warmupMs: number;
}

export type ThroughputStrategy = 'random' | 'pct3';

function strategyFor(name: ThroughputStrategy, seed: number) {
  return name === 'random' ? makeStrategy('random', { seed, depth: 1 }) : makeStrategy('pct', { seed, depth: 3 });
}

export function measureThroughput(sc: Scenario<any>, strategy: ThroughputStrategy, o: ThroughputOptions): ThroughputRow {
  const timed = (ms: number, seed: number, mem: MemSampler | null) => {
    const t0 = now();
    const c0 = process.cpuUsage();
    const end = t0 + ms;
    const r = explore(sc, strategyFor(strategy, seed), {
      // The guard is off: this measures the search (docs/engine.md, the access guard).
      guard: 0,
      schedules: Number.MAX_SAFE_INTEGER,
      keepGoing: true,
      timeUp: () => now() >= end,
      onExecution: mem ? () => mem.tick() : undefined,
    });
    const c = process.cpuUsage(c0);
    return { steps: r.steps, schedules: r.schedules, sec: (now() - t0) / 1000, cpuSec: (c.user + c.system) / 1e6 };
  };
  timed(o.warmupMs, 999, null);
  const mem = new MemSampler();
  const runs = [];
  for (let i = 0; i < o.reps; i++) runs.push(timed(o.ms, i + 1, mem));
  const m = mem.result();
  const rates = runs.map((r) => r.steps / r.sec);
  const best = runs[rates.indexOf(Math.max(...rates))]!;
  return {
    scenario: sc.name,
    strategy: strategy === 'random' ? 'random' : 'pct(d=3)',
    reps: o.reps,
    stepsPerSec: best.steps / best.sec,
    schedulesPerSec: best.schedules / best.sec,
    stepsPerCpuSec: best.steps / Math.max(1e-9, best.cpuSec),
    stepsPerSchedule: best.steps / Math.max(1, best.schedules),
    allStepsPerSec: rates.map((x) => Math.round(x)),
    peakRssMB: m.peakRssMB,
    heapGrowthMB: m.heapGrowthMB,
  };
}
