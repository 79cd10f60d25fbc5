import { describe, expect, it } from 'vitest';
import { explore } from '../src/core/runner.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { PctStrategy } from '../src/core/strategies/pct.ts';
import { RandomStrategy } from '../src/core/strategies/random.ts';
import { makeToken, replayToken } from '../src/core/trace/replay.ts';
import { decodeToken, encodeToken } from '../src/core/trace/token.ts';
import { findScenario } from '../src/scenarios/registry.ts';
import { counter } from '../src/scenarios/textbook/counter.ts';

describe('tb-counter (lost update)', () => {
  it('passes exhaustively under DPOR and plain DFS with the lock', () => {
    for (const dpor of [true, false]) {
      const r = explore(counter, new DfsStrategy({ dpor }), { params: { threads: 3 } });
      expect(r.verdict).toBe('pass');
      expect(r.complete).toBe(true);
    }
  });

  it('DPOR explores one schedule per order of the critical sections (n!)', () => {
    const s = new DfsStrategy({ dpor: true });
    explore(counter, s, { params: { threads: 3 } });
    expect(s.terminal).toBe(6);
  });

  it('finds the lost update with random, PCT and DPOR', () => {
    for (const st of [new RandomStrategy(7), new PctStrategy(7, 2), new DfsStrategy({ dpor: true })]) {
      const r = explore(counter, st, { mutant: 'tb-unlocked-increment', schedules: 2000 });
      expect(r.verdict, st.name).toBe('fail');
      expect(r.failure!.failure.spec).toBe('no-lost-update');
    }
  });

  it('replays a found failure from its token', () => {
    const r = explore(counter, new RandomStrategy(3), { mutant: 'tb-unlocked-increment', schedules: 2000 });
    const f = r.failure!;
    const token = makeToken(counter, { mutant: 'tb-unlocked-increment' }, f.schedule, f.sigs);
    expect(decodeToken(token).schedule).toEqual(f.schedule);
    expect(encodeToken(decodeToken(token))).toBe(token);
    const rep = replayToken(token, findScenario);
    expect(rep.res.failure?.spec).toBe('no-lost-update');
    expect(rep.res.failure?.message).toBe(f.failure.message);
  });
});
