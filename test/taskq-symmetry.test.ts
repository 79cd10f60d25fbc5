/**
 * The taskq's symmetry reduction (locks/taskq.ts): the lowest-numbered idle
 * worker takes a job. Against the reference semantics (any idle worker
 * may, anyIdleWorker), on a scenario where which worker runs a job shows in
 * nothing but the thread's name: the same terminal states and failures,
 * over every interleaving (plain DFS), in fewer executions; and DPOR on the
 * reduced taskq reaches what plain DFS on it reaches (the step that makes a
 * worker idle again is dependent with a higher worker's pick-up).
 */
import { describe, expect, it } from 'vitest';
import type { KThread } from '../src/core/effect.ts';
import type { Execution } from '../src/core/execution.ts';
import { access } from '../src/core/ops.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { DfsStrategy } from '../src/core/strategies/dfs.ts';
import { KMutex, mutexEnter, mutexExit } from '../src/locks/kmutex.ts';
import { KTaskq, taskqDispatch } from '../src/locks/taskq.ts';

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
