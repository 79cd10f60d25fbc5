/** Each textbook bug is found by at least two strategies; its fixed variant passes exhaustively. */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { Execution, RunContext } from '../src/core/execution.ts';
import { execOptions, explore } from '../src/core/runner.ts';
import { ReplayStrategy } from '../src/core/strategies/replay.ts';
import { LockOrderGraph } from '../src/locks/lockorder.ts';
import { makeStrategy, type StrategyName } from '../src/core/config.ts';
import { textbookMutants } from '../src/bugs/textbook.ts';
import { findScenario } from '../src/scenarios/registry.ts';

const strategies: [StrategyName, number][] = [
  ['random', 5000],
  ['pct', 5000],
  ['dpor', 5000],
  ['dfs', 20000],
];

describe.each(textbookMutants.map((m) => [m.mutant, m] as const))('%s', (_n, m) => {
  const sc = findScenario(m.scenario)!;
  it('is found by at least two strategies (random, PCT, DPOR, DFS tried)', () => {
    const found: string[] = [];
    for (const [name, budget] of strategies) {
      const r = explore(sc, makeStrategy(name, { seed: 11, depth: 3 }), { mutant: m.mutant, schedules: budget });
      if (r.verdict === 'fail' && r.failure!.failure.spec === m.expect.spec) found.push(name);
    }
    expect(found.length, `found by ${found.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(found).toContain('dpor');
  });
  it('fixed variant passes exhaustively under DFS and DPOR', () => {
    for (const name of ['dfs', 'dpor'] as const) {
      const r = explore(sc, makeStrategy(name, { seed: 1, depth: 3 }), {});
      expect(r.verdict, name).toBe('pass');
      expect(r.complete, name).toBe(true);
    }
  });
});

describe('lock-order graph', () => {
  it('reports the ABBA cycle as a potential deadlock even when no execution deadlocks', () => {
    // Preemption bound 0: no execution interleaves the two critical sections,
    // so none deadlocks, but both lock orders are observed.
    const sc = findScenario('tb-abba')!;
    const r = explore(sc, makeStrategy('dfs', { seed: 1, depth: 1, preemptions: 0 }), { mutant: 'tb-abba' });
    expect(r.verdict).toBe('fail');
    expect(r.failure!.failure.kind).toBe('lock-order');
    expect(r.failure!.failure.message).toMatch(/lock_a -> lock_b -> lock_a|lock_b -> lock_a -> lock_b/);
    // Its witnesses: one execution per edge, each taking that edge when replayed.
    const w = r.failure!.failure.witnesses!;
    expect(w.map((x) => x.what).sort()).toEqual(['lock_a -> lock_b', 'lock_b -> lock_a']);
    for (const x of w) {
      const g = new RunContext();
      const ex = new Execution(sc, execOptions(sc, { mutant: 'tb-abba' }, g, true));
      ex.run(new ReplayStrategy(x.schedule, x.sigs).next()!);
      const [a, b] = x.what.split(' -> ');
      expect(LockOrderGraph.of(g).edges.get(a!)?.has(b!), x.what).toBe(true);
    }
  });
  it('nsm check prints a replay token for each witness', async () => {
    const out: string[] = [];
    expect(await main(['check', 'tb-abba', '--mutant', 'tb-abba', '--strategy', 'dfs', '--preemptions', '0', '--no-write'], (l) => out.push(l), () => {})).toBe(1);
    const text = out.join('\n');
    expect(text).toContain('lock-order: locks are taken in one global order');
    // Without preemptions one execution takes both orders: one witness line for both edges.
    expect(text.match(/witness of lock_[ab] -> lock_[ab], lock_[ab] -> lock_[ab]: nsm replay nsm1:tb-abba:tb-abba:/g)).toHaveLength(1);
  });
  it('sees no cycle in the fixed order', () => {
    const sc = findScenario('tb-abba')!;
    const r = explore(sc, makeStrategy('dfs', { seed: 1, depth: 1 }), {});
    expect(r.verdict).toBe('pass');
  });
});
