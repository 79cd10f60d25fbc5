/**
 * Time to bug: for every catalogued mutant and every strategy, schedules
 * and milliseconds to the first failure of the mutant's expected spec, over
 * several seeds (DPOR is deterministic: one run). A run that does not find
 * it within its budget is reported as such.
 */
import type { MutantEntry } from '../src/bugs/types.ts';
import { explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import type { Strategy } from '../src/core/strategy.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { Budget, median, now } from './util.ts';

export const BUG_STRATEGIES = ['random', 'pct1', 'pct2', 'pct3', 'dpor', 'portfolio'] as const;
export type BugStrategy = (typeof BUG_STRATEGIES)[number];

export interface BugRun {
  seed: number;
  found: boolean;
  /** Executions up to and including the first detection (or run in all when not found). */
  schedules: number;
  ms: number;
  /** Budget this run had. */
  budgetSchedules: number;
  budgetMs: number;
  /** A different failure seen first (kept going past it), or an error. */
  note?: string;
}

export interface BugRow {
  mutant: string;
  scenario: string;
  spec: string;
  strategy: BugStrategy;
  runs: BugRun[];
  found: number;
  /** Over the runs that found it (null when none did). */
  medianSchedules: number | null;
  worstSchedules: number | null;
  medianMs: number | null;
  worstMs: number | null;
}

export function strategyOf(name: BugStrategy, seed: number, m: MutantEntry): Strategy {
  const preemptions = m.find.preemptions;
  switch (name) {
    case 'random':
      return makeStrategy('random', { seed, depth: 1 });
    case 'pct1':
      return makeStrategy('pct', { seed, depth: 1 });
    case 'pct2':
      return makeStrategy('pct', { seed, depth: 2 });
    case 'pct3':
      return makeStrategy('pct', { seed, depth: 3 });
    case 'dpor':
      return makeStrategy('dpor', { seed, depth: 1, preemptions });
    case 'portfolio':
      return makeStrategy('portfolio', { seed, depth: 3, preemptions });
  }
}

/** One search for mutant m: runs until its expected spec fails, the schedule budget, or the time budget. */
export function timeToBug(m: MutantEntry, strategy: BugStrategy, seed: number, budgetSchedules: number, budgetMs: number): BugRun {
  const sc = findScenario(m.scenario);
  const base = { seed, budgetSchedules, budgetMs: Math.round(budgetMs) };
  if (!sc) return { ...base, found: false, schedules: 0, ms: 0, note: `scenario ${m.scenario} not registered` };
  let foundAt = -1;
  let foundMs = 0;
  let count = 0;
  let other: string | undefined;
  const t0 = now();
  const end = t0 + budgetMs;
  try {
    const r = explore(sc, strategyOf(strategy, seed, m), {
      mutant: m.mutant,
      params: m.find.params,
      schedules: budgetSchedules,
      keepGoing: true,
      timeUp: () => foundAt >= 0 || now() >= end,
      onExecution: (_ex, res) => {
        count++;
        if (foundAt >= 0 || !res.failure) return;
        if (res.failure.spec === m.expect.spec && (!m.expect.kind || res.failure.kind === m.expect.kind)) {
          foundAt = count;
          foundMs = now() - t0;
        } else if (!other) other = `first other failure: ${res.failure.spec} at schedule ${count}`;
      },
    });
    // Run-end checks (lock-order cycles) report after the run, not per execution.
    if (foundAt < 0 && r.failure && r.failure.execution === -1 && r.failure.failure.spec === m.expect.spec) {
      foundAt = r.schedules;
      foundMs = now() - t0;
    }
  } catch (e) {
    return { ...base, found: false, schedules: count, ms: now() - t0, note: `error: ${String((e as Error)?.message ?? e)}` };
  }
  if (foundAt >= 0) return { ...base, found: true, schedules: foundAt, ms: foundMs, ...(other ? { note: other } : {}) };
  return { ...base, found: false, schedules: count, ms: now() - t0, ...(other ? { note: other } : {}) };
}

export interface BugOptions {
  seeds: number;
  schedules: number;
  /** Per-run cap; the section budget may give less. */
  capMs: number;
  budget: Budget;
  strategies?: readonly BugStrategy[];
}

export function bugRows(ms: readonly MutantEntry[], o: BugOptions): BugRow[] {
  const strategies = o.strategies ?? BUG_STRATEGIES;
  const runsOf = (s: BugStrategy) => (s === 'dpor' ? 1 : o.seeds);
  let left = ms.length * strategies.reduce((a, s) => a + runsOf(s), 0);
  const rows: BugRow[] = [];
  for (const m of ms) {
    for (const s of strategies) {
      const runs: BugRun[] = [];
      for (let i = 0; i < runsOf(s); i++) {
        runs.push(timeToBug(m, s, i + 1, o.schedules, o.budget.share(o.capMs, left)));
        left--;
      }
      const hit = runs.filter((r) => r.found);
      rows.push({
        mutant: m.mutant,
        scenario: m.scenario,
        spec: m.expect.spec,
        strategy: s,
        runs,
        found: hit.length,
        medianSchedules: hit.length ? median(hit.map((r) => r.schedules)) : null,
        worstSchedules: hit.length ? Math.max(...hit.map((r) => r.schedules)) : null,
        medianMs: hit.length ? median(hit.map((r) => r.ms)) : null,
        worstMs: hit.length ? Math.max(...hit.map((r) => r.ms)) : null,
      });
    }
  }
  return rows;
}

export interface PortfolioCheck {
  mutant: string;
  /** Seeds tried and seeds that found it within 10,000 schedules / 60 s. */
  seeds: number;
  found: number;
  worstSchedules: number | null;
  worstMs: number | null;
  /** Runs re-done with the full 60 s budget because the table's run had less. */
  rerun: number;
  /** Runs that could not be re-done (section budget spent): verdict unknown. */
  unknown: number;
}

/**
 * "Every catalogued bug is found by the default portfolio within 10,000
 * schedules or 60 s": from the portfolio rows; a run that stopped on its
 * (smaller) time budget is re-done with 60 s while the section budget lasts.
 */
export function portfolioCheck(ms: readonly MutantEntry[], rows: readonly BugRow[], budget: Budget, limit = { schedules: 10_000, ms: 60_000 }): PortfolioCheck[] {
  const out: PortfolioCheck[] = [];
  for (const m of ms) {
    const row = rows.find((r) => r.mutant === m.mutant && r.strategy === 'portfolio');
    const runs = row ? row.runs.slice() : [{ seed: 1, found: false, schedules: 0, ms: 0, budgetSchedules: 0, budgetMs: 0 }];
    let rerun = 0;
    let unknown = 0;
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i]!;
      const ok = r.found && r.schedules <= limit.schedules && r.ms <= limit.ms;
      const cutShort = !r.found && r.schedules < limit.schedules && r.budgetMs < limit.ms;
      if (ok || !cutShort) continue;
      if (budget.remaining() < 1000) {
        unknown++;
        continue;
      }
      runs[i] = timeToBug(m, 'portfolio', r.seed, limit.schedules, Math.min(limit.ms, budget.remaining()));
      rerun++;
    }
    const hit = runs.filter((r) => r.found && r.schedules <= limit.schedules && r.ms <= limit.ms);
    out.push({
      mutant: m.mutant,
      seeds: runs.length,
      found: hit.length,
      worstSchedules: hit.length ? Math.max(...hit.map((r) => r.schedules)) : null,
      worstMs: hit.length ? Math.max(...hit.map((r) => r.ms)) : null,
      rerun,
      unknown,
    });
  }
  return out;
}
