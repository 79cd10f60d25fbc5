/**
 * Textbook: a producer puts two items, cv_signal for each; two consumers
 * each take one, waiting with `while (count == 0) cv_wait`. Mutant tb-cv-if
 * waits with `if`: a consumer woken by the producer can find that another
 * consumer barged in and took the item, and it then takes an item that is
 * not there (kassert count > 0). No spurious wake-up is needed: barging on
 * the mutex is enough.
 *
 * Scheduling points: mutex_enter, cv_wait wake-ups.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { defineScenario } from '../../core/scenario.ts';
import { KCondvar, cvSignal, cvWait } from '../../locks/kcondvar.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { tbBug, textbookMutantTable } from './mutants.ts';

interface QueueState {
  lock: KMutex;
  cv: KCondvar;
  /** Items available; protected by lock. */
  count: number;
  taken: number;
  /** Items the producer has put so far (kept here, not in a loop local, for stateHash). */
  produced: number;
}

function* producer(s: QueueState, items: number): KThread<void> {
  while (s.produced < items) {
    yield* mutexEnter(s.lock);
    s.produced++;
    s.count++;
    yield* cvSignal(s.cv);
    yield* mutexExit(s.lock);
  }
}

function* consumer(ex: Execution, s: QueueState): KThread<void> {
  yield* mutexEnter(s.lock);
  if (tbBug(ex, 'tb-cv-if')) {
    if (s.count === 0) yield* cvWait(s.cv, s.lock);
  } else {
    while (s.count === 0) yield* cvWait(s.cv, s.lock);
  }
  kassert(s.count > 0, 'count > 0 after cv_wait');
  s.count--;
  s.taken++;
  yield* mutexExit(s.lock);
}

export const cvIf = defineScenario<QueueState>({
  name: 'tb-cv-wait-loop',
  description: 'producer/consumers on a condition variable (if instead of while around cv_wait)',
  system: 'textbook',
  threads: 3,
  mutants: textbookMutantTable.pick('tb-cv-if'),
  granularity: 'mutex_enter, cv_wait wake-up',
  setup(ex) {
    const s: QueueState = { lock: new KMutex(ex, 'q_lock'), cv: new KCondvar(ex, 'q_cv'), count: 0, taken: 0, produced: 0 };
    ex.spawn('producer', producer(s, 2));
    ex.spawn('C1', consumer(ex, s));
    ex.spawn('C2', consumer(ex, s));
    return s;
  },
  stateHash: (s) => `${s.count}/${s.taken}/${s.produced}`,
  invariants: [
    { name: 'count-nonnegative', statement: 'the item count never goes negative', watches: (s) => [s.lock.id], check: (s) => (s.count >= 0 ? null : `count=${s.count}`) },
  ],
  endChecks: [{ name: 'all-taken', statement: 'every item was taken once', check: (s) => (s.taken === 2 && s.count === 0 ? null : `taken=${s.taken} count=${s.count}`) }],
});
