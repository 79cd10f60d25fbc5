/**
 * A depth-first search does not check the invariants again after the steps
 * an execution shares with the one before it (Chooser.replayedSteps): they
 * were checked there. Every execution of such a search, run again alone
 * with every invariant checked after every step, must end the same way.
 */
import { describe, expect, it } from 'vitest';
import { Execution, RunContext, type Chooser, type ExecResult } from '../src/core/execution.ts';
import { execOptions, explore } from '../src/core/runner.ts';
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

describe('invariants after a replayed prefix', () => {
  const FIX = { fixInactiveCoversCreates: true, fixShutdownInprogress: true, fixReapWaitsForWaiters: true };
  it.each([
    ['ns-unregister-vs-zone-create', null, { dpor: true }, {}],
    ['ns-unregister-vs-zone-create', null, { dpor: true, stateCache: true }, {}],
    ['ns-register-vs-zone-teardown', 'ns-inactive-forward-order', { dpor: true }, FIX],
    ['ipmp-unplumb-join', 'ipmp-unlink-no-pend', { dpor: true }, {}],
    ['nx-stop-vs-rx-notify', 'nx-no-g7-rx-drop-recheck', { dpor: false }, {}],
    ['nx-close-vs-start', 'nx-no-g8-doorbell-active', { dpor: false }, {}],
  ] as const)('%s (mutant %s, %o): every execution ends as it does checked throughout', (name, mutant, search, params) => {
    const sc = findScenario(name)!;
    const seen: { schedule: number[]; outcome: string }[] = [];
    const r = explore(sc, new DfsStrategy({ ...search, checkHits: 0 }), {
      mutant,
      params,
      keepGoing: true,
      schedules: 400,
      guard: 0,
      onExecution: (_ex, res) => seen.push({ schedule: res.schedule.slice(), outcome: outcome(res) }),
    });
    // The search met an invariant failure past a replayed prefix, or the test shows nothing
    // (a stateful search stops at its first failure, keepGoing or not).
    expect(r.failures).toBeGreaterThan(0);
    expect(seen.filter((s) => s.outcome.startsWith('invariant')).length).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(1);
    for (const s of seen) {
      const ex = new Execution(sc, execOptions(sc, { mutant, params }, new RunContext(), false));
      expect(outcome(ex.run(following(s.schedule))), s.schedule.join(',')).toBe(s.outcome);
    }
  });
});
