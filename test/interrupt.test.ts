/** A stopped search reports a partial result: complete=false, the counts so far, its open branches. */
import { describe, expect, it } from 'vitest';
import { explore } from '../src/core/runner.ts';
import { makeStrategy } from '../src/core/config.ts';
import { findScenario } from '../src/scenarios/registry.ts';

const counter = findScenario('tb-counter')!;
const params = { threads: 4 };

/** Steps of each execution of the full DPOR search, in order. */
function fullSearch() {
  const steps: number[] = [];
  const r = explore(counter, makeStrategy('dpor', { seed: 1, depth: 1 }), { params, onExecution: (_ex, res) => steps.push(res.steps) });
  return { r, steps };
}

describe('interruptible searches', () => {
  it('a finished search is complete, not stopped, with no open branch', () => {
    const { r } = fullSearch();
    expect(r.complete).toBe(true);
    expect(r.stopped).toBeNull();
    expect(r.openBranches).toEqual([]);
    expect(r.schedules).toBeGreaterThan(10);
  });

  it('shouldStop after k executions: complete=false, k schedules, their steps, the open branches', () => {
    const { steps } = fullSearch();
    for (const k of [0, 1, 5]) {
      let n = 0;
      const r = explore(counter, makeStrategy('dpor', { seed: 1, depth: 1 }), { params, shouldStop: () => n >= k, onExecution: () => n++ });
      expect(r.complete).toBe(false);
      expect(r.verdict).toBe('incomplete');
      expect(r.stopped).toBe('stop');
      expect(r.schedules).toBe(k);
      expect(r.steps).toBe(steps.slice(0, k).reduce((a, b) => a + b, 0));
      const open = r.openBranches!;
      if (k === 0) expect(open).toEqual([]);
      else {
        expect(open.length).toBeGreaterThan(0);
        // Deepest first, each with something left to explore.
        for (let i = 0; i < open.length; i++) {
          expect(open[i]!.open).toBeGreaterThan(0);
          if (i > 0) expect(open[i]!.depth).toBeLessThan(open[i - 1]!.depth);
        }
      }
    }
  });

  it('an aborted signal and an expired time budget stop the search too', () => {
    const signal = { aborted: false };
    let n = 0;
    const a = explore(counter, makeStrategy('dfs', { seed: 1, depth: 1 }), { params, signal, onExecution: () => (++n === 3 ? (signal.aborted = true) : 0) });
    expect([a.stopped, a.complete, a.schedules]).toEqual(['stop', false, 3]);
    // A fake clock owned by the caller, 10 ms per reading, the budget ending at 40:
    // the readings before executions 2, 3, 4 are 10, 20, 30; the one before 5 is 40.
    let t = 0;
    const b = explore(counter, makeStrategy('dpor', { seed: 1, depth: 1 }), { params, timeUp: () => (t += 10) >= 40 });
    expect([b.stopped, b.complete, b.schedules]).toEqual(['time', false, 4]);
    expect(b.openBranches!.length).toBeGreaterThan(0);
  });

  it('a random run has no search tree: openBranches is null', () => {
    const r = explore(counter, makeStrategy('random', { seed: 1, depth: 1 }), { params, schedules: 7 });
    expect([r.stopped, r.schedules, r.openBranches]).toEqual(['schedules', 7, null]);
  });
});
