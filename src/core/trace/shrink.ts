/**
 * Shrinking a failing schedule: fewer steps first, then fewer preemptions.
 * Each candidate is re-run with a lenient chooser that follows the candidate
 * while it fits and otherwise lets the running thread go on (no preemption),
 * so a cut schedule still runs to a verdict. A candidate is kept when it
 * fails the same spec with fewer steps, or as many steps and fewer
 * preemptions. The result is the schedule actually executed, so it replays
 * strictly.
 */
import { Execution, RunContext, type Chooser } from '../execution.ts';
import type { Failure } from '../failure.ts';
import { execOptions } from '../runner.ts';
import type { Scenario } from '../scenario.ts';
import type { ReplayTarget } from './replay.ts';

export interface ShrinkOutcome {
  schedule: number[];
  sigs: number[];
  steps: number;
  preemptions: number;
  failure: Failure;
  originalSteps: number;
  runs: number;
}

interface Trial {
  schedule: number[];
  sigs: number[];
  steps: number;
  preemptions: number;
  failure: Failure | null;
}

/** Run `wanted` leniently; returns the schedule that actually ran. */
export function runLenient(sc: Scenario<any>, target: ReplayTarget, wanted: readonly number[]): Trial {
  let pos = 0;
  let prev = -1;
  let preemptions = 0;
  const chooser: Chooser = {
    pickThread: (_ex, enabled) => {
      let i = -1;
      if (pos < wanted.length) i = enabled.indexOf(wanted[pos++]!);
      if (i < 0) i = Math.max(0, enabled.indexOf(prev));
      const t = enabled[i]!;
      if (prev >= 0 && t !== prev && enabled.includes(prev)) preemptions++;
      prev = t;
      return i;
    },
    pickValue: (_ex, n) => {
      if (pos < wanted.length) {
        const v = wanted[pos++]!;
        if (v < n) return v;
      }
      return 0;
    },
  };
  const ex = new Execution(sc, execOptions(sc, target, new RunContext(), false));
  const res = ex.run(chooser);
  return { schedule: res.schedule.slice(), sigs: res.sigs.slice(), steps: res.steps, preemptions, failure: res.failure };
}

function same(a: Failure, b: Failure | null): boolean {
  return b !== null && a.kind === b.kind && a.spec === b.spec;
}

function better(c: Trial, best: Trial): boolean {
  return c.steps < best.steps || (c.steps === best.steps && c.preemptions < best.preemptions) || (c.steps === best.steps && c.preemptions === best.preemptions && c.schedule.length < best.schedule.length);
}

export function shrinkSchedule(sc: Scenario<any>, target: ReplayTarget, schedule: readonly number[], maxRuns = 2000): ShrinkOutcome | null {
  let best = runLenient(sc, target, schedule);
  let runs = 1;
  if (!best.failure) return null;
  const f0 = best.failure;
  const originalSteps = best.steps;
  let changed = true;
  while (changed && runs < maxRuns) {
    changed = false;
    // Cut chunks, large to small.
    for (let size = Math.max(1, best.schedule.length >> 1); size >= 1 && runs < maxRuns; size >>= 1) {
      for (let i = 0; i + size <= best.schedule.length && runs < maxRuns; ) {
        const cand = best.schedule.slice(0, i).concat(best.schedule.slice(i + size));
        const t = runLenient(sc, target, cand);
        runs++;
        if (same(f0, t.failure) && better(t, best)) {
          best = t;
          changed = true;
        } else i += size;
      }
    }
    // Remove preemptions: let the previous thread go on instead.
    for (let i = 1; i < best.schedule.length && runs < maxRuns; i++) {
      if (best.schedule[i] === best.schedule[i - 1]) continue;
      const cand = best.schedule.slice(0, i).concat([best.schedule[i - 1]!], best.schedule.slice(i));
      const t = runLenient(sc, target, cand);
      runs++;
      if (same(f0, t.failure) && better(t, best)) {
        best = t;
        changed = true;
      }
    }
  }
  return { schedule: best.schedule, sigs: best.sigs, steps: best.steps, preemptions: best.preemptions, failure: best.failure!, originalSteps, runs };
}
