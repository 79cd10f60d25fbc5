/**
 * Wakeup trees (DfsOptions.wakeup, strategies/wakeup.ts) and lock-aware
 * races: what they save, on scenarios whose counts are known. Soundness
 * (the same terminal states as plain DFS) is proved on generated programs
 * in properties/dpor-soundness.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { resolveSearch } from '../src/core/config.ts';
import { explore } from '../src/core/runner.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { insertWakeup, weakInitial, type WakeupBranch, type WakeupSeq } from '../src/core/strategies/wakeup.ts';
import { findScenario } from '../src/scenarios/registry.ts';

function dpor(name: string, params: Record<string, unknown>, wakeup: boolean) {
  const sc = findScenario(name)!;
  const st = new DfsStrategy({ dpor: true, wakeup });
  const r = explore(sc, st, { params: { ...sc.params, ...params } as any, keepGoing: true, schedules: 50_000 });
  return { complete: r.complete, terminal: st.terminal, blocked: st.pruned, verdict: r.verdict };
}

/** A sequence of independent-or-not steps: fps[a] as given, hb(a, b) when a < b and they conflict. */
function seq(tids: number[], fps: number[][], exact = tids.map(() => true)): WakeupSeq {
  const conflict = (x: number[], y: number[]) => x.some((e) => y.some((f) => e >> 1 === f >> 1 && ((e | f) & 1) === 1));
  return { n: tids.length, tid: tids, fp: fps, exact, hb: (a, b) => conflict(fps[a]!, fps[b]!) };
}

describe('wakeup trees', () => {
  it('tb-counter with n threads: exactly n! executions, none sleep-set-blocked (without them: some are)', () => {
    const fact = [1, 1, 2, 6, 24, 120, 720];
    for (const n of [3, 4, 5, 6]) {
      const w = dpor('tb-counter', { threads: n }, true);
      expect(w).toEqual({ complete: true, terminal: fact[n], blocked: 0, verdict: 'pass' });
    }
    const plain = dpor('tb-counter', { threads: 6 }, false);
    expect(plain.terminal).toBe(720);
    expect(plain.blocked).toBeGreaterThan(0);
  });

  it('a sequence is covered by a leaf whose thread is a weak initial of it; otherwise it becomes the last branch', () => {
    const roots: WakeupBranch[] = [];
    // T1 writes x (obj 1), then T2 reads it: T2's step depends on T1's.
    expect(insertWakeup(roots, seq([1, 2], [[3], [2]]))).toBe(1);
    expect(roots.map((b) => b.tid)).toEqual([1]);
    expect(roots[0]!.kids.map((b) => b.tid)).toEqual([2]);
    // [1, 2] again: covered (the same branch).
    insertWakeup(roots, seq([1, 2], [[3], [2]]));
    expect(roots.length).toBe(1);
    expect(roots[0]!.kids.length).toBe(1);
    // T3 writes another object: independent of T1's and T2's steps, so the leaf
    // [1, 2] covers it (T3 runs after them in the same trace class).
    insertWakeup(roots, seq([3], [[5]]));
    expect(roots.length).toBe(1);
    expect(roots[0]!.kids.map((b) => b.tid)).toEqual([2]);
    // T1 then T3 writing x: T1 matches; T2's read conflicts with T3's write, so
    // T3 becomes the last branch after T1.
    insertWakeup(roots, seq([1, 3], [[3], [3]]));
    expect(roots[0]!.kids.map((b) => b.tid)).toEqual([2, 3]);
    // T2 first, reading x: T1's write conflicts, so T1 is no weak initial: a new root.
    expect(insertWakeup(roots, seq([2], [[2]]))).toBe(2);
    expect(roots.map((b) => b.tid)).toEqual([1, 2]);
  });

  it('a step whose footprint is not exact (pending, or a data choice) is independent of nothing', () => {
    const s = seq([2], [[4]], [false]);
    // T1's step touches another object, but T2's pending step is only its effect's object.
    expect(weakInitial(s, [0], 1, [3], true)).toBeUndefined();
    expect(weakInitial(seq([2], [[4]]), [0], 1, [3], true)).toBe(-1);
    // As the sequence's own first step, it is an initial whatever its footprint.
    expect(weakInitial(s, [0], 2, null, false)).toBe(0);
  });

  it('nsm and the api take wakeup with unbounded, unsplit dpor only', () => {
    expect(resolveSearch({ strategy: 'dpor', wakeup: true }).wakeup).toBe(true);
    expect(() => resolveSearch({ strategy: 'random', wakeup: true })).toThrow(/wakeup works with strategy 'dpor' only/);
    expect(() => resolveSearch({ strategy: 'dpor', wakeup: true, preemptions: 1 })).toThrow(/without preemptions/);
    expect(() => new DfsStrategy({ dpor: true, wakeup: true, incremental: false })).toThrow(/incremental/);
  });
});

describe('lock-aware races', () => {
  it('a blocking acquire is not reversed with steps the lock holder ran holding the lock: no sleep-set-blocked executions where each was one', () => {
    // Before: nx-client-port-twice explored 4 executions + 5 blocked (the
    // holder's steps raced the waiter's mutex_enter), fb-mcast-ll-ref 6 + 10
    // (a parked read counted as a write of its object).
    for (const name of ['nx-client-port-twice', 'fb-mcast-ll-ref']) {
      const r = dpor(name, {}, false);
      expect(r.complete).toBe(true);
      expect(r.blocked).toBe(0);
    }
    expect(dpor('nx-client-port-twice', {}, false).verdict).toBe('fail'); // NX-4, still found
  });
});
