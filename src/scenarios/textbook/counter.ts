/**
 * Textbook: two threads increment a shared counter under a mutex.
 * Mutant tb-unlocked-increment drops the mutex, so the read and the write of
 * the counter are two unlocked accesses and an update can be lost.
 *
 * Scheduling points: mutex_enter, and each unlocked access of the mutant.
 */
import { defineScenario } from '../../core/scenario.ts';
import { access } from '../../core/ops.ts';
import type { Execution } from '../../core/execution.ts';
import type { KThread } from '../../core/effect.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { tbBug, textbookMutantTable } from './mutants.ts';

interface CounterState {
  lock: KMutex;
  /** Protected by lock. */
  count: number;
  countObj: number;
  threads: number;
  /** What each thread read (the mutant's read-modify-write keeps it here, not in a local, so stateHash sees it). */
  seen: number[];
}

function* incrementer(ex: Execution, s: CounterState, i: number): KThread<void> {
  if (tbBug(ex, 'tb-unlocked-increment')) {
    yield* access(s.countObj, 'r', 'count');
    s.seen[i] = s.count;
    yield* access(s.countObj, 'w', 'count');
    s.count = s.seen[i]! + 1;
    return;
  }
  yield* mutexEnter(s.lock);
  s.count = s.count + 1;
  yield* mutexExit(s.lock);
}

export const counter = defineScenario<CounterState>({
  name: 'tb-counter',
  description: 'N threads increment a counter under a mutex (textbook lost update when unlocked)',
  system: 'textbook',
  threads: 2,
  params: { threads: 2 },
  // 10 threads is 10! = 3.6M interleavings for DPOR: beyond that nothing completes.
  paramTypes: { threads: { min: 1, max: 10, description: 'incrementing threads' } },
  mutants: textbookMutantTable.pick('tb-unlocked-increment'),
  granularity: 'mutex_enter; each unlocked access of the mutant',
  // The values the threads read and wrote, after every step of a recorded
  // execution: what makes a lost update visible in reports (count stays 1
  // after both writes).
  snapshot: (s) => {
    const o: Record<string, string> = { count: String(s.count) };
    s.seen.forEach((v, i) => {
      if (v >= 0) o[`T${i + 1} read`] = String(v);
    });
    return o;
  },
  setup(ex) {
    const threads = ex.param<number>('threads');
    const s: CounterState = { lock: new KMutex(ex, 'count_lock'), count: 0, countObj: ex.newObject('count', 'field'), threads, seen: new Array<number>(threads).fill(-1) };
    for (let i = 0; i < s.threads; i++) ex.spawn(`T${i + 1}`, incrementer(ex, s, i));
    return s;
  },
  stateHash: (s) => `${s.count}/${s.seen.join(',')}`,
  endChecks: [
    {
      name: 'no-lost-update',
      statement: 'the counter equals the number of increments',
      check: (s) => (s.count === s.threads ? null : `count is ${s.count}, expected ${s.threads}`),
    },
  ],
});
