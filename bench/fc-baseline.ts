/**
 * Baseline: the same scenarios driven by fast-check's `fc.scheduler()`.
 *
 * One fast-check property run = one schedule. The scenario's generator
 * threads run on the engine's Execution (same effects, same step cost), but
 * the step loop is asynchronous and every thread choice is made by
 * fast-check: each enabled thread holds a "ticket", a promise scheduled
 * through `s.schedule(...)`; `await s.waitOne()` lets fast-check's scheduler
 * release exactly one ticket (its own random task selection), and that
 * ticket's thread steps next. A ticket released for a thread that has since
 * become blocked is dropped (like an async task woken to find its lock
 * taken) and fast-check is asked again. Data choices (cv_signal's wakee...)
 * come from an fc-generated array. Nothing of our strategies is involved.
 *
 * Execution.run is synchronous, so `runAsync` re-implements its loop over
 * the Execution's internals (setup, invariant registration, step, checks);
 * `checkInternals` fails loudly if the engine's internals move, and the
 * smoke test proves the loop equivalent to Execution.run on fixed choices.
 */
import fc from 'fast-check';
import { Execution, RunContext, type ExecOptions, type ExecResult } from '../src/core/execution.ts';
import { execOptions } from '../src/core/runner.ts';
import type { Scenario } from '../src/core/scenario.ts';
import type { EndCheck } from '../src/core/spec.ts';
import type { MutantEntry } from '../src/bugs/types.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { median, now } from './util.ts';

/** The Execution internals the async loop uses. */
interface Internals {
  chooser: { pickThread(): number; pickValue(ex: Execution, n: number, label: string): number } | null;
  state: unknown;
  invariants: { watches?: (s: unknown, ex: Execution) => Iterable<number> }[];
  watchedBy: number[][];
  alwaysCheck: number[];
  live: { id: number; daemon: boolean; pending: { enabled(ex: Execution, t: unknown): boolean; describe(ex: Execution): string }; name: string }[];
  threads: unknown[];
  failure: ExecResult['failure'];
  stepIndex: number;
  schedule: number[];
  fail(e: unknown, t: unknown): void;
  step(t: unknown, enabled: readonly number[]): void;
  checkInvariants(all: boolean): void;
  reportDeadlock(): void;
  result(): ExecResult;
}

export function checkInternals(): void {
  const p = Execution.prototype as unknown as Record<string, unknown>;
  for (const f of ['fail', 'step', 'checkInvariants', 'reportDeadlock', 'result']) {
    if (typeof p[f] !== 'function') throw new Error(`fc-baseline: Execution.${f} is gone; update bench/fc-baseline.ts runAsync`);
  }
}

/** Execution.run, asynchronous: `pick` chooses the next thread id among `enabled`. */
export async function runAsync(sc: Scenario<any>, opts: ExecOptions, pick: (enabled: readonly number[]) => Promise<number> | number, value: (n: number) => number): Promise<ExecResult> {
  const ex = new Execution(sc, opts);
  const x = ex as unknown as Internals;
  x.chooser = {
    pickThread: () => {
      throw new Error('thread choices are made by the async loop');
    },
    pickValue: (_ex, n) => value(n),
  };
  try {
    x.state = sc.setup(ex);
  } catch (e) {
    x.fail(e, null);
  }
  x.invariants = (sc.invariants ?? []) as Internals['invariants'];
  for (let k = 0; k < x.invariants.length && !x.failure; k++) {
    const w = x.invariants[k]!.watches;
    if (!w) {
      x.alwaysCheck.push(k);
      continue;
    }
    for (const o of w(x.state, ex)) (x.watchedBy[o] ??= []).push(k);
  }
  const enabled: number[] = [];
  while (!x.failure) {
    enabled.length = 0;
    const live = x.live;
    for (let i = 0; i < live.length; i++) {
      const t = live[i]!;
      if (t.pending.enabled(ex, t)) enabled.push(t.id);
    }
    if (enabled.length === 0) {
      if (live.some((t) => !t.daemon)) x.reportDeadlock();
      break;
    }
    if (x.stepIndex >= opts.maxSteps) {
      x.failure = { kind: 'step-limit', spec: 'step-limit', message: `no completion within ${opts.maxSteps} steps`, step: x.stepIndex, thread: null, details: [] };
      break;
    }
    const tid = await pick(enabled);
    if (!enabled.includes(tid)) throw new Error(`picked thread ${tid} is not enabled`);
    x.schedule.push(tid);
    x.step(x.threads[tid], enabled);
    if (!x.failure) x.checkInvariants(false);
  }
  if (!x.failure) x.checkInvariants(true);
  if (!x.failure) {
    for (const c of (sc.endChecks ?? []) as EndCheck<unknown>[]) {
      let msg: string | null = null;
      try {
        msg = c.check(x.state, ex);
      } catch (e) {
        x.fail(e, null);
        break;
      }
      if (msg !== null) {
        x.failure = { kind: 'end-state', spec: c.name, message: msg, step: x.stepIndex, thread: null, details: [] };
        break;
      }
    }
  }
  return x.result();
}

/** Thread picks by fast-check's scheduler: one scheduled ticket per enabled thread, one released per waitOne. */
export function fcPicker(s: fc.Scheduler): (enabled: readonly number[]) => Promise<number> {
  const ticket: boolean[] = [];
  let released = -1;
  return async (enabled) => {
    for (;;) {
      for (let i = 0; i < enabled.length; i++) {
        const t = enabled[i]!;
        if (ticket[t]) continue;
        ticket[t] = true;
        void s.schedule(Promise.resolve(t), `T${t}`, undefined, (f) => {
          // Called synchronously when fast-check selects this task.
          released = t;
          ticket[t] = false;
          return f();
        });
      }
      released = -1;
      await s.waitOne();
      if (released >= 0 && enabled.includes(released)) return released;
    }
  };
}

export interface FcRun {
  runs: number;
  steps: number;
  ms: number;
  /** CPU time of this process during the drive. */
  cpuMs: number;
  /** Property run (1-based) at which the expected failure was first seen; -1 if not. */
  foundAt: number;
  foundMs: number;
}

/**
 * Drive scenario sc (optionally with a mutant) under fc.scheduler() for at
 * most `numRuns` property runs or `ms` of wall clock. With `bugSpec`, the
 * property fails (and stops: endOnFailure, no shrinking) on that spec.
 */
export async function fcDrive(sc: Scenario<any>, o: { mutant?: string | null; params?: Record<string, import('../src/core/scenario.ts').ParamValue>; seed: number; numRuns: number; ms: number; bugSpec?: string; onResult?: (res: ExecResult) => void }): Promise<FcRun> {
  checkInternals();
  const opts = execOptions(sc, { mutant: o.mutant ?? null, params: o.params }, new RunContext(), false);
  let runs = 0;
  let steps = 0;
  let foundAt = -1;
  let foundMs = 0;
  const t0 = now();
  const c0 = process.cpuUsage();
  const prop = fc.asyncProperty(fc.scheduler(), fc.array(fc.nat(), { maxLength: 32 }), async (s, data) => {
    runs++;
    let di = 0;
    const res = await runAsync(sc, opts, fcPicker(s), (n) => (di < data.length ? data[di++]! % n : 0));
    steps += res.steps;
    o.onResult?.(res);
    if (o.bugSpec !== undefined && res.failure && res.failure.spec === o.bugSpec) {
      if (foundAt < 0) {
        foundAt = runs;
        foundMs = now() - t0;
      }
      return false;
    }
    return true;
  });
  await fc.check(prop, { numRuns: o.numRuns, seed: o.seed, endOnFailure: true, interruptAfterTimeLimit: o.ms, markInterruptAsFailure: false });
  const c = process.cpuUsage(c0);
  return { runs, steps, ms: now() - t0, cpuMs: (c.user + c.system) / 1000, foundAt, foundMs };
}

export interface FcThroughputRow {
  scenario: string;
  reps: number;
  schedulesPerSec: number;
  stepsPerSec: number;
  /** Best repetition's schedules per second of CPU time. */
  schedulesPerCpuSec: number;
}

export async function fcThroughput(sc: Scenario<any>, o: { reps: number; ms: number; warmupMs: number }): Promise<FcThroughputRow> {
  await fcDrive(sc, { seed: 999, numRuns: 1e9, ms: o.warmupMs });
  let best: FcRun | null = null;
  for (let i = 0; i < o.reps; i++) {
    const r = await fcDrive(sc, { seed: i + 1, numRuns: 1e9, ms: o.ms });
    if (!best || r.runs / r.ms > best.runs / best.ms) best = r;
  }
  return { scenario: sc.name, reps: o.reps, schedulesPerSec: (best!.runs / best!.ms) * 1000, stepsPerSec: (best!.steps / best!.ms) * 1000, schedulesPerCpuSec: (best!.runs / Math.max(1e-6, best!.cpuMs)) * 1000 };
}

export interface FcBugRow {
  mutant: string;
  scenario: string;
  seeds: number;
  found: number;
  medianSchedules: number | null;
  worstSchedules: number | null;
  medianMs: number | null;
  worstMs: number | null;
  budgetSchedules: number;
  budgetMs: number;
}

export async function fcTimeToBug(m: MutantEntry, o: { seeds: number; schedules: number; ms: number }): Promise<FcBugRow> {
  const sc = findScenario(m.scenario)!;
  const hits: FcRun[] = [];
  for (let seed = 1; seed <= o.seeds; seed++) {
    const r = await fcDrive(sc, { mutant: m.mutant, params: m.find.params, seed, numRuns: o.schedules, ms: o.ms, bugSpec: m.expect.spec });
    if (r.foundAt >= 0) hits.push(r);
  }
  return {
    mutant: m.mutant,
    scenario: m.scenario,
    seeds: o.seeds,
    found: hits.length,
    medianSchedules: hits.length ? median(hits.map((r) => r.foundAt)) : null,
    worstSchedules: hits.length ? Math.max(...hits.map((r) => r.foundAt)) : null,
    medianMs: hits.length ? median(hits.map((r) => r.foundMs)) : null,
    worstMs: hits.length ? Math.max(...hits.map((r) => r.foundMs)) : null,
    budgetSchedules: o.schedules,
    budgetMs: Math.round(o.ms),
  };
}
