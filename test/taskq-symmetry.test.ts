/**
 * The taskq's symmetry reduction (locks/taskq.ts): the lowest-numbered idle
 * worker takes a job. Against the reference semantics (any idle worker
 * may, anyIdleWorker), on a scenario where which worker runs a job shows in
 * nothing but the thread's name: the same terminal states and failures,
 * over every interleaving (plain DFS), in fewer executions; and DPOR on the
 * reduced taskq reaches what plain DFS on it reaches (the step that makes a
 * worker idle again is dependent with a higher worker's pick-up). Then on
 * the netstack model, whose system_taskq runs the reaps: ns-reap-limiter
 * with a mutant, so that there are failures to reach, gives the same
 * outcomes with the reduction on and off.
 */
import { describe, expect, it } from 'vitest';
import type { KThread } from '../src/core/effect.ts';
import type { Execution } from '../src/core/execution.ts';
import { access } from '../src/core/ops.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario, type Scenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { KMutex, mutexEnter, mutexExit } from '../src/locks/kmutex.ts';
import { KTaskq, taskqDispatch } from '../src/locks/taskq.ts';
import { reapLimiter } from '../src/scenarios/netstack/scenarios.ts';
import { buildWorld, type NetstackWorld, zoneLife } from '../src/scenarios/netstack/world.ts';

interface Jobs {
  tq: KTaskq;
  lock: KMutex;
  /** Protected by lock; read unlocked first (the race that loses updates). */
  x: number;
  xObj: number;
  /** The jobs in the order they wrote x, under lock. */
  log: string[];
}

/** A job reads x unlocked, then writes x*2+k under the lock: two jobs that read before either writes lose an update. */
function* job(ex: Execution, s: Jobs, name: string, k: number): KThread<void> {
  yield* access(s.xObj, 'r', 'x');
  const seen = s.x;
  yield* mutexEnter(s.lock);
  // The write's footprint: what the unlocked reads race with.
  ex.touch(s.xObj, true);
  s.x = seen * 2 + k;
  s.log.push(name);
  yield* mutexExit(s.lock);
}

function* dispatcher(ex: Execution, s: Jobs, d: number, jobs: number): KThread<void> {
  for (let j = 0; j < jobs; j++) {
    const name = `j${d}.${j}`;
    yield* taskqDispatch(s.tq, name, () => job(ex, s, name, d + 1));
  }
}

const jobsScenario = defineScenario<Jobs>({
  name: 'test-taskq-jobs',
  description: 'two dispatchers queue jobs on a taskq whose workers race on x',
  system: 'textbook',
  threads: 2,
  params: { workers: 3, jobs: 1, anyIdleWorker: false },
  setup(ex: Execution) {
    const s: Jobs = {
      tq: new KTaskq(ex, 'tq', ex.param<number>('workers'), ex.param<boolean>('anyIdleWorker')),
      lock: new KMutex(ex, 'x_lock'),
      x: 0,
      xObj: ex.newObject('x', 'field'),
      log: [],
    };
    for (const d of [0, 1]) ex.spawn(`D${d}`, dispatcher(ex, s, d, ex.param<number>('jobs')));
    return s;
  },
  endChecks: [
    {
      name: 'no-lost-update',
      statement: 'x is what the jobs give applied one after another in the order they wrote',
      check: (s) => {
        let want = 0;
        for (const name of s.log) want = want * 2 + Number(name[1]) + 1;
        return s.x === want && s.log.length === s.tq.completed ? null : `x is ${s.x}, the jobs in order ${s.log.join(', ')} give ${want}`;
      },
    },
  ],
});

/** A search to the end, keeping going past failures: its executions and the set of (outcome, x, order of the jobs) it reaches. */
function ends(params: Record<string, number | boolean>, dpor: boolean) {
  const set = new Set<string>();
  const st = new DfsStrategy({ dpor });
  const r = explore(jobsScenario, st, {
    params: { ...jobsScenario.params, ...params },
    keepGoing: true,
    schedules: 1e6,
    onExecution: (ex, res) => {
      if (res.pruned) return;
      const s = ex.state as Jobs;
      set.add(`${res.failure ? res.failure.spec : 'ok'} x=${s.x} ${s.log.join(',')}`);
    },
  });
  expect(r.complete).toBe(true);
  return { set: [...set].sort(), schedules: r.schedules };
}

describe('taskq symmetry reduction: the lowest idle worker takes a job', () => {
  for (const [workers, jobs] of [
    [2, 1],
    [3, 1],
    [2, 2],
  ] as const) {
    it(`${workers} workers, ${jobs} job(s) per dispatcher: the same ends as any idle worker, in fewer executions; DPOR reaches what DFS does`, () => {
      const reference = ends({ workers, jobs, anyIdleWorker: true }, false);
      const reduced = ends({ workers, jobs }, false);
      expect(reduced.set).toEqual(reference.set);
      expect(reference.set.some((k) => k.startsWith('no-lost-update'))).toBe(true);
      expect(reference.set.some((k) => k.startsWith('ok'))).toBe(true);
      expect(reduced.schedules).toBeLessThan(reference.schedules);
      expect(ends({ workers, jobs }, true).set).toEqual(reduced.set);
    });
  }
});

/** ns-reap-limiter as registered, or with any idle system_taskq worker taking a reap. */
function reapLimiterWith(anyWorker: boolean) {
  return defineScenario<NetstackWorld>({
    ...reapLimiter,
    name: `test-reap-limiter-${anyWorker ? 'any' : 'lowest'}-worker`,
    setup(ex) {
      const w = buildWorld(ex, { modules: 1, loaded: [0], zones: [{ id: 1, excl: true }, { id: 2, excl: true }], reapSlots: ex.param<number>('reapSlots'), systemTaskqAnyWorker: anyWorker });
      ex.spawn('Z1', zoneLife(ex, w, 1, true, 'destroy', 'running'));
      ex.spawn('Z2', zoneLife(ex, w, 2, true, 'destroy', 'running'));
      return w;
    },
  });
}

describe('taskq symmetry reduction on the netstack model (two system_taskq workers)', () => {
  /**
   * DPOR to the end, past failures: executions, and what it reaches. A
   * clean end is the world's snapshot (no thread in it); a failure is its
   * spec and message with the worker's name and the step left out (where a
   * failure stops an execution depends on the interleaving DPOR picks for
   * the trace, and which worker ran the job is what the reduction renames).
   */
  function netstackEnds(sc: Scenario<NetstackWorld>, mutant: string, params: Record<string, number | boolean>) {
    const set = new Set<string>();
    const r = explore(sc, new DfsStrategy({ dpor: true }), {
      mutant,
      params: { ...sc.params, ...params },
      keepGoing: true,
      schedules: 100_000,
      onExecution: (ex, res) => {
        if (res.pruned) return;
        if (res.failure) set.add(`${res.failure.spec}: ${res.failure.message.replace(/system_taskq\/\d+/g, 'system_taskq/*').replace(/ at step \d+/g, '')}`);
        else set.add(`ok ${JSON.stringify(sc.snapshot!(ex.state as NetstackWorld, ex))}`);
      },
    });
    expect(r.complete).toBe(true);
    return { set: [...set].sort(), schedules: r.schedules };
  }
  it('ns-reap-limiter (two slots, so the reaps overlap) with mutant ns-closing-after-rele: the same ends as with any idle worker, in fewer executions', () => {
    const reduced = netstackEnds(reapLimiterWith(false), 'ns-closing-after-rele', { reapSlots: 2 });
    const any = netstackEnds(reapLimiterWith(true), 'ns-closing-after-rele', { reapSlots: 2 });
    expect(reduced.set).toEqual(any.set);
    expect(reduced.set.length).toBeGreaterThan(1);
    expect(reduced.set.some((k) => !k.startsWith('ok '))).toBe(true);
    expect(reduced.schedules).toBeLessThan(any.schedules);
  });
});
