/**
 * Benchmark-only workloads: lock-heavy loops sized small / medium / large.
 * Not registered with nsm (they check nothing interesting).
 */
import type { KThread } from '../src/core/effect.ts';
import { defineScenario, type Scenario } from '../src/core/scenario.ts';
import { KCondvar, cvBroadcast, cvWait } from '../src/locks/kcondvar.ts';
import { KMutex, mutexEnter, mutexExit } from '../src/locks/kmutex.ts';

interface LockHeavy {
  locks: KMutex[];
  cv: KCondvar;
  counters: number[];
  phase: number;
}

/** One worker: `rounds` critical sections over the mutexes, then a barrier. */
function* lockHeavyThread(s: LockHeavy, t: number, threads: number, rounds: number, nlocks: number): KThread<void> {
  for (let r = 0; r < rounds; r++) {
    const m = s.locks[(t + r) % nlocks]!;
    yield* mutexEnter(m);
    s.counters[(t + r) % nlocks]!++;
    yield* mutexExit(m);
  }
  // A barrier at the end: the last one in wakes everybody.
  const b = s.locks[0]!;
  yield* mutexEnter(b);
  s.phase++;
  if (s.phase === threads) yield* cvBroadcast(s.cv);
  else while (s.phase < threads) yield* cvWait(s.cv, b);
  yield* mutexExit(b);
}

export function lockHeavy(name: string, threads: number, rounds: number, nlocks: number): Scenario<LockHeavy> {
  return defineScenario<LockHeavy>({
    name,
    description: `${threads} threads x ${rounds} rounds over ${nlocks} mutexes and a barrier cv`,
    system: 'bench',
    threads,
    maxSteps: 1_000_000,
    setup(ex) {
      const s: LockHeavy = { locks: Array.from({ length: nlocks }, (_, i) => new KMutex(ex, `m${i}`)), cv: new KCondvar(ex, 'cv'), counters: new Array(nlocks).fill(0), phase: 0 };
      // Thread bodies are top-level generator functions: creating a generator
      // closure per execution costs microseconds in V8.
      for (let t = 0; t < threads; t++) ex.spawn(`T${t}`, lockHeavyThread(s, t, threads, rounds, nlocks));
      return s;
    },
    endChecks: [{ name: 'counted', statement: 'every round counted', check: (s) => (s.counters.reduce((a, b) => a + b, 0) === threads * rounds ? null : 'lost round') }],
  });
}

export const small = lockHeavy('bench-small', 2, 10, 2);
export const medium = lockHeavy('bench-medium', 4, 50, 3);
export const large = lockHeavy('bench-large', 8, 200, 4);
