/** Iterative preemption bounding: rounds of bounded DPOR, bound 0, 1, ..., stopping at the first failure. */
import { describe, expect, it } from 'vitest';
import { explore } from '../src/core/runner.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { IterativeBoundStrategy } from '../src/core/strategies/iterative.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { main } from '../src/cli/main.ts';

describe('ipb', () => {
  it('each round explores exactly what bounded DPOR explores at that bound, and completes within the largest', () => {
    const sc = findScenario('tb-gate')!;
    const s = new IterativeBoundStrategy(2);
    const r = explore(sc, s);
    expect(r.verdict).toBe('pass');
    expect(r.complete).toBe(true);
    for (const round of s.rounds) {
      const alone = explore(sc, new DfsStrategy({ dpor: true, preemptionBound: round.bound }));
      expect(round.schedules, `bound ${round.bound}`).toBe(alone.schedules);
      expect(round.complete).toBe(true);
    }
    expect(r.schedules).toBe(s.rounds.reduce((a, x) => a + x.schedules, 0));
  });
  it('stops at the first failure, in the smallest bound that has one', () => {
    const sc = findScenario('tb-counter')!;
    const s = new IterativeBoundStrategy(3);
    const r = explore(sc, s, { mutant: 'tb-unlocked-increment' });
    expect(r.failure?.failure.spec).toBe('no-lost-update');
    expect(s.bound).toBe(1);
    expect(s.rounds[0]).toMatchObject({ bound: 0, complete: true });
    expect(explore(sc, new DfsStrategy({ dpor: true, preemptionBound: 0 }), { mutant: 'tb-unlocked-increment' }).verdict).toBe('pass');
  });
  it('nsm check --strategy ipb says which bound found the failure', async () => {
    const out: string[] = [];
    const code = await main(['check', 'tb-counter', '--mutant', 'tb-unlocked-increment', '--strategy', 'ipb', '--no-write'], (l) => out.push(l), () => {});
    expect(code).toBe(1);
    expect(out[1]).toBe('  preemption bounds: bound 0: 2 schedules (complete); bound 1: 2 schedules; found within bound 1');
  });
});

describe('idb', () => {
  it('each round explores exactly what bounded DFS explores at that delay bound', () => {
    const sc = findScenario('tb-gate')!;
    const s = new IterativeBoundStrategy(2, 'delays');
    const r = explore(sc, s);
    expect([r.verdict, r.complete, s.name]).toEqual(['pass', true, 'idb(dfs, delays 0..2)']);
    for (const round of s.rounds) expect(round.schedules, `bound ${round.bound}`).toBe(explore(sc, new DfsStrategy({ dpor: false, delayBound: round.bound })).schedules);
  });
  it('nsm check --strategy idb finds the if-instead-of-while bug and says which delay bound it needed', async () => {
    const out: string[] = [];
    const code = await main(['check', 'tb-cv-wait-loop', '--mutant', 'tb-cv-if', '--strategy', 'idb', '--no-write'], (l) => out.push(l), () => {});
    expect(code).toBe(1);
    expect(out[1]).toMatch(/^ {2}delay bounds: bound 0: 1 schedule \(complete\); .*found within bound [1-3]$/);
  });
});
