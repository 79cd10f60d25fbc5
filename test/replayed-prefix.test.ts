/**
 * A depth-first search does not check the invariants again after the steps
 * an execution shares with the one before it (Chooser.replayedSteps): they
 * were checked there. Every execution of such a search, run again alone
 * with every invariant checked after every step, must end the same way, and
 * the search must have made fewer checks than the runs alone (or the skip
 * is not on and the test shows nothing).
 */
import { describe, expect, it } from 'vitest';
import { Execution, RunContext, type Chooser, type ExecResult } from '../src/core/execution.ts';
import { execOptions, explore } from '../src/core/runner.ts';
import type { Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { findScenario } from '../src/scenarios/registry.ts';

/** Follow a recorded schedule (thread ids and data values), then prune; no replayedSteps. */
function following(schedule: readonly number[]): Chooser {
  let i = 0;
  return {
    pickThread: (_ex, enabled) => (i < schedule.length ? enabled.indexOf(schedule[i++]!) : -1),
    pickValue: () => schedule[i++]!,
  };
}

const outcome = (r: ExecResult) => (r.failure ? `${r.failure.kind}:${r.failure.spec} at ${r.failure.step}` : r.pruned ? 'pruned' : 'ok');

/** The scenario with its declared invariants counting their checks. */
function counting(sc: Scenario<any>): { sc: Scenario<any>; checks: { n: number } } {
  const checks = { n: 0 };
  const invariants = (sc.invariants ?? []).map((inv) => ({
    ...inv,
    check: (s: unknown, ex: Execution) => {
      checks.n++;
      return inv.check(s, ex);
    },
  }));
  return { sc: { ...sc, invariants }, checks };
}

describe('invariants after a replayed prefix', () => {
  it.each([
    ['ipmp-unplumb-join', 'ipmp-unlink-no-pend', { dpor: true }],
    ['ipmp-unplumb-join', 'ipmp-unlink-no-pend', { dpor: true, stateCache: true }],
    ['ipmp-arp-destroy', 'ipmp-unlink-no-members', { dpor: true, preemptionBound: 1 }],
    ['nx-stop-vs-rx-notify', 'nx-no-g7-rx-drop-recheck', { dpor: false }],
    ['nx-close-vs-start', 'nx-no-g8-doorbell-active', { dpor: false }],
    ['nx-close-vs-start', 'nx-no-g8-doorbell-active', { dpor: true, wakeup: true }],
  ] as const)('%s (mutant %s, %o): every execution ends as it does checked throughout', (name, mutant, search) => {
    const { sc, checks } = counting(findScenario(name)!);
    const declared = new Set((sc.invariants ?? []).map((i) => i.name));
    const seen: { schedule: number[]; outcome: string }[] = [];
    explore(sc, new DfsStrategy({ ...search, checkHits: 0 }), {
      mutant,
      keepGoing: true,
      schedules: 400,
      guard: 0,
      onExecution: (_ex, res) => seen.push({ schedule: res.schedule.slice(), outcome: outcome(res) }),
    });
    const inSearch = checks.n;
    // A declared invariant failed in the search, after a replayed prefix.
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.some((s, k) => k > 0 && [...declared].some((d) => s.outcome.startsWith(`invariant:${d} `)))).toBe(true);
    checks.n = 0;
    for (const s of seen) {
      const ex = new Execution(sc, execOptions(sc, { mutant }, new RunContext(), false));
      expect(outcome(ex.run(following(s.schedule))), s.schedule.join(',')).toBe(s.outcome);
    }
    // The same executions, each checked after every step: more checks.
    expect(inSearch).toBeLessThan(checks.n);
  });
});
