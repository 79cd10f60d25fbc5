/**
 * Scaling: time and memory per schedule as the lock-heavy workload grows
 * (threads, rounds), and as registered netstack/IPMP scenarios' numeric
 * parameters grow (modules, zones, ills... whatever they expose).
 */
import { explore } from '../src/core/runner.ts';
import type { ParamValue, Scenario } from '../src/core/scenario.ts';
import { makeStrategy } from '../src/core/config.ts';
import { lockHeavy } from './scenarios.ts';
import { MemSampler, now } from './util.ts';

export interface ScalingRow {
  scenario: string;
  /** What varies and its value: 'threads=8', 'zones=3'. */
  variant: string;
  schedules: number;
  stepsPerSchedule: number;
  msPerSchedule: number;
  usPerStep: number;
  peakRssMB: number;
  heapGrowthMB: number;
  /** Failures seen (a variant may break a spec or be rejected): spec -> count. */
  verdicts: Record<string, number>;
  error?: string;
}

export function scaleRun(sc: Scenario<any>, variant: string, o: { ms: number; maxSchedules: number; params?: Record<string, ParamValue> }): ScalingRow {
  const verdicts: Record<string, number> = {};
  // Warm-up, then measure with a fresh sampler.
  const warm = now() + Math.min(200, o.ms / 4);
  try {
    explore(sc, makeStrategy('random', { seed: 99, depth: 1 }), { guard: 0, params: o.params, schedules: o.maxSchedules, keepGoing: true, timeUp: () => now() >= warm });
  } catch (e) {
    return { scenario: sc.name, variant, schedules: 0, stepsPerSchedule: 0, msPerSchedule: NaN, usPerStep: NaN, peakRssMB: 0, heapGrowthMB: 0, verdicts, error: String((e as Error)?.message ?? e) };
  }
  const mem = new MemSampler();
  const t0 = now();
  const end = t0 + o.ms;
  const r = explore(sc, makeStrategy('random', { seed: 1, depth: 1 }), {
    guard: 0,
    params: o.params,
    schedules: o.maxSchedules,
    keepGoing: true,
    timeUp: () => now() >= end,
    onExecution: (_ex, res) => {
      mem.tick();
      const v = res.failure ? res.failure.spec : 'ok';
      verdicts[v] = (verdicts[v] ?? 0) + 1;
    },
  });
  const ms = now() - t0;
  const m = mem.result();
  return {
    scenario: sc.name,
    variant,
    schedules: r.schedules,
    stepsPerSchedule: r.steps / Math.max(1, r.schedules),
    msPerSchedule: ms / Math.max(1, r.schedules),
    usPerStep: (ms * 1000) / Math.max(1, r.steps),
    peakRssMB: m.peakRssMB,
    heapGrowthMB: m.heapGrowthMB,
    verdicts,
  };
}

export function lockHeavyScaling(o: { threads: number[]; rounds: number[]; baseThreads: number; baseRounds: number; nlocks: number; ms: number }): ScalingRow[] {
  const rows: ScalingRow[] = [];
  for (const t of o.threads) rows.push(scaleRun(lockHeavy(`lock-heavy`, t, o.baseRounds, o.nlocks), `threads=${t}, rounds=${o.baseRounds}`, { ms: o.ms, maxSchedules: 1e9 }));
  for (const r of o.rounds) rows.push(scaleRun(lockHeavy(`lock-heavy`, o.baseThreads, r, o.nlocks), `threads=${o.baseThreads}, rounds=${r}`, { ms: o.ms, maxSchedules: 1e9 }));
  return rows;
}

/** For every scenario of the given systems with numeric parameters: each parameter at default, +1, +2 (others at default). */
export function paramScaling(scs: readonly Scenario<any>[], o: { ms: number; steps: number[]; budgetMs: number }): ScalingRow[] {
  const rows: ScalingRow[] = [];
  const end = now() + o.budgetMs;
  for (const sc of scs) {
    for (const [k, v] of Object.entries(sc.params ?? {})) {
      if (typeof v !== 'number') continue;
      for (const d of o.steps) {
        const val = v + d;
        if (val < 0) continue;
        if (now() >= end) return rows;
        rows.push(scaleRun(sc, `${k}=${val}${d === 0 ? ' (default)' : ''}`, { ms: o.ms, maxSchedules: 1e9, params: { [k]: val } }));
      }
    }
  }
  return rows;
}
