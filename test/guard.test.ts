/**
 * The access guard (src/core/guard.ts): a model that writes shared state in
 * steps whose footprints do not say so is refused, never certified by DPOR.
 */
import { describe, expect, it } from 'vitest';
import { check, CheckFailure, replay } from '../src/api/check.ts';
import type { KThread } from '../src/core/effect.ts';
import type { Execution } from '../src/core/execution.ts';
import { access, preempt } from '../src/core/ops.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { KMutex, mutexEnter, mutexExit } from '../src/locks/kmutex.ts';

interface Counter {
  count: number;
  obj: number;
  m: KMutex;
}

/** A lost update as a port wrote it: read, preempt, write; `declare` says whether the steps declare the counter. */
function lostUpdate(declare: boolean, locked = false) {
  function* inc(ex: Execution, s: Counter): KThread<void> {
    if (locked) yield* mutexEnter(s.m);
    if (declare) yield* access(s.obj, 'r', 'count');
    else yield* preempt('read count');
    const v = s.count;
    if (declare) yield* access(s.obj, 'w', 'count');
    else yield* preempt('write count');
    s.count = v + 1;
    if (locked) yield* mutexExit(s.m);
  }
  return defineScenario<Counter>({
    name: `port-lost-update${declare ? '' : '-undeclared'}${locked ? '-locked' : ''}`,
    description: 'two threads increment a counter',
    system: 'test',
    threads: 2,
    setup(ex) {
      const s: Counter = { count: 0, obj: ex.newObject('count', 'var'), m: new KMutex(ex, 'm') };
      ex.spawn('T1', inc(ex, s));
      ex.spawn('T2', inc(ex, s));
      return s;
    },
    endChecks: [{ name: 'no-lost-update', statement: 'the counter is 2', check: (s) => (s.count === 2 ? null : `count is ${s.count}`) }],
  });
}

describe('access guard', () => {
  it('the undeclared port: without the guard DPOR says pass, complete, though plain DFS finds the lost update', () => {
    const sc = lostUpdate(false);
    const unguarded = explore(sc, new DfsStrategy({ dpor: true }), { guard: 0 });
    expect([unguarded.verdict, unguarded.complete]).toEqual(['pass', true]);
    expect(explore(sc, new DfsStrategy({ dpor: false }), { guard: 0 }).failure?.failure.spec).toBe('no-lost-update');
  });
  it('with the guard (the default) DPOR fails it, naming the field, both steps and threads', () => {
    const r = explore(lostUpdate(false), new DfsStrategy({ dpor: true }));
    expect(r.verdict).toBe('fail');
    const f = r.failure!.failure;
    expect([f.kind, f.spec]).toEqual(['undeclared-access', 'declared-accesses']);
    expect(f.message).toMatch(/^state\.count written by T\d \(step \d+\) and by T\d \(step \d+\), steps whose footprints do not order them/);
  });
  it('the declared model passes with the guard, and finds the lost update', () => {
    const r = explore(lostUpdate(true), new DfsStrategy({ dpor: true }), { guard: Infinity });
    expect(r.failure?.failure.spec).toBe('no-lost-update');
    const locked = explore(lostUpdate(true, true), new DfsStrategy({ dpor: true }), { guard: Infinity });
    expect([locked.verdict, locked.complete]).toEqual(['pass', true]);
  });
  it('undeclared writes that a lock both threads hold orders are not reported (DPOR sees the order)', () => {
    const r = explore(lostUpdate(false, true), new DfsStrategy({ dpor: true }), { guard: Infinity });
    expect([r.verdict, r.complete]).toEqual(['pass', true]);
  });
  it('check() throws it as a CheckFailure whose token replays to the same failure', () => {
    const sc = lostUpdate(false);
    let err: unknown;
    try {
      check(sc);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckFailure);
    const cf = err as CheckFailure;
    expect(cf.failure.spec).toBe('declared-accesses');
    expect(cf.message).toContain('declared-accesses: two threads change one location only in steps their footprints order');
    expect(replay(cf.token, [sc]).failure?.spec).toBe('declared-accesses');
  });
});
