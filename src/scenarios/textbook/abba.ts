/**
 * Textbook: two threads take two mutexes. Correct code takes them in one
 * global order (A before B); mutant tb-abba makes the second thread take B
 * then A, which can deadlock (and the lock-order graph sees A -> B -> A).
 *
 * Scheduling points: each mutex_enter.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { defineScenario } from '../../core/scenario.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { tbBug, textbookMutantTable } from './mutants.ts';

interface AbbaState {
  a: KMutex;
  b: KMutex;
  /** Protected by a and b together. */
  done: number;
}

function* both(s: AbbaState, first: KMutex, second: KMutex): KThread<void> {
  yield* mutexEnter(first);
  yield* mutexEnter(second);
  s.done++;
  yield* mutexExit(second);
  yield* mutexExit(first);
}

export const abba = defineScenario<AbbaState>({
  name: 'tb-abba',
  description: 'two threads take two mutexes (ABBA deadlock when the order differs)',
  system: 'textbook',
  threads: 2,
  mutants: textbookMutantTable.pick('tb-abba'),
  granularity: 'each mutex_enter',
  setup(ex: Execution) {
    const s: AbbaState = { a: new KMutex(ex, 'lock_a'), b: new KMutex(ex, 'lock_b'), done: 0 };
    ex.spawn('T1', both(s, s.a, s.b));
    ex.spawn('T2', tbBug(ex, 'tb-abba') ? both(s, s.b, s.a) : both(s, s.a, s.b));
    return s;
  },
  stateHash: (s) => String(s.done),
  endChecks: [{ name: 'both-done', statement: 'both threads completed their critical section', check: (s) => (s.done === 2 ? null : `done=${s.done}`) }],
});
