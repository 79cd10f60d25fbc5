/**
 * The netstack monitor's ghost state is a function of what is still
 * running: an apply-walk invocation's record of its last callback is kept
 * while the invocation runs and dropped when it returns
 * (NetstackObserver.invocationDone). Stateful search depends on it: a
 * record left behind makes two interleavings that differ only in the order
 * finished walks ran into two states.
 */
import { describe, expect, it } from 'vitest';
import { type Chooser, Execution, RunContext } from '../src/core/execution.ts';
import { execOptions } from '../src/core/runner.ts';
import { Prng } from '../src/core/prng.ts';
import { netstackScenarios } from '../src/scenarios/netstack/index.ts';
import type { NetstackWorld } from '../src/scenarios/netstack/world.ts';
import { NetstackMonitor } from '../src/specs/netstack/monitor.ts';

const FIXES = { fixInactiveCoversCreates: true, fixShutdownInprogress: true, fixReapWaitsForWaiters: true };

function monitorOf(ex: Execution): NetstackMonitor {
  const obs = (ex.state as NetstackWorld).g.obs;
  if (!(obs instanceof NetstackMonitor)) throw new Error('not the netstack monitor');
  return obs;
}

describe('netstack monitor: finished invocations are forgotten', () => {
  for (const name of ['ns-lifecycle-vs-load-unload', 'ns-two-zones-module-reload', 'ns-register-vs-closing-two-reaps', 'ns-zone-lifecycle-vs-modules']) {
    it(`${name}: invocations are recorded while they run, and none is left when every thread has returned`, () => {
      const sc = netstackScenarios.find((s) => s.name === name)!;
      const rng = new Prng(7);
      let peak = 0;
      for (let i = 0; i < 40; i++) {
        const r = rng.split();
        const ex = new Execution(sc, execOptions(sc, { params: FIXES }, new RunContext(), false));
        const chooser: Chooser = {
          pickThread: (e, enabled) => {
            peak = Math.max(peak, monitorOf(e).invocationsRunning);
            return r.below(enabled.length);
          },
          pickValue: (_e, n) => r.below(n),
        };
        const res = ex.run(chooser);
        expect(res.failure).toBeNull();
        expect(monitorOf(ex).invocationsRunning).toBe(0);
      }
      // The record exists while walks run (so the check above is not vacuous).
      expect(peak).toBeGreaterThan(0);
    });
  }
});
