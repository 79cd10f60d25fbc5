/**
 * Textbook: two threads wait for a gate to open; the opener sets the flag and
 * wakes them with cv_broadcast. Mutant tb-signal-not-broadcast uses
 * cv_signal: one waiter is left asleep forever (a deadlock report naming it).
 *
 * Scheduling points: mutex_enter, cv_wait wake-ups.
 */
import type { KThread } from '../../core/effect.ts';
import type { Execution } from '../../core/execution.ts';
import { defineScenario } from '../../core/scenario.ts';
import { KCondvar, cvBroadcast, cvSignal, cvWait } from '../../locks/kcondvar.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';
import { tbBug, textbookMutantTable } from './mutants.ts';

interface GateState {
  lock: KMutex;
  cv: KCondvar;
  /** Protected by lock. */
  open: boolean;
  passed: number;
}

function* waiter(s: GateState): KThread<void> {
  yield* mutexEnter(s.lock);
  while (!s.open) yield* cvWait(s.cv, s.lock);
  s.passed++;
  yield* mutexExit(s.lock);
}

function* opener(ex: Execution, s: GateState): KThread<void> {
  yield* mutexEnter(s.lock);
  s.open = true;
  yield* (tbBug(ex, 'tb-signal-not-broadcast') ? cvSignal(s.cv) : cvBroadcast(s.cv));
  yield* mutexExit(s.lock);
}

export const gate = defineScenario<GateState>({
  name: 'tb-gate',
  description: 'waiters on a gate opened with cv_broadcast (missing broadcast)',
  system: 'textbook',
  threads: 3,
  mutants: textbookMutantTable.pick('tb-signal-not-broadcast'),
  granularity: 'mutex_enter, cv_wait wake-up',
  setup(ex) {
    const s: GateState = { lock: new KMutex(ex, 'gate_lock'), cv: new KCondvar(ex, 'gate_cv'), open: false, passed: 0 };
    ex.spawn('W1', waiter(s));
    ex.spawn('W2', waiter(s));
    ex.spawn('opener', opener(ex, s));
    return s;
  },
  stateHash: (s) => `${s.open}/${s.passed}`,
  snapshot: (s) => ({ gate: s.open ? 'open' : 'closed', 'gate_cv sleepers': String(s.cv.waiters), passed: String(s.passed) }),
  endChecks: [{ name: 'all-passed', statement: 'every waiter passed the gate', check: (s) => (s.passed === 2 ? null : `passed=${s.passed}`) }],
});
