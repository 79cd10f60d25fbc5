/**
 * Laws of the kernel primitives, each checked over generated workloads and
 * generated schedules (a failing case shrinks both).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KThread } from '../src/core/effect.ts';
import { kassert } from '../src/core/errors.ts';
import { explore } from '../src/core/runner.ts';
import { defineScenario } from '../src/core/scenario.ts';
import { ChoiceListStrategy } from '../src/core/strategies/choices.ts';
import { KCondvar, cvBroadcast, cvSignal, cvWait } from '../src/locks/kcondvar.ts';
import { KMutex, mutexEnter, mutexExit } from '../src/locks/kmutex.ts';
import { KRwlock, rwEnter, rwExit } from '../src/locks/krwlock.ts';
import { KSema, semaP, semaV } from '../src/locks/ksema.ts';
import { KTaskq, taskqDispatch } from '../src/locks/taskq.ts';
import { localAccess, preempt } from '../src/core/ops.ts';
import { scheduleArb } from './arbitraries.ts';

function runOnce(sc: Parameters<typeof explore>[0], schedule: number[]) {
  return explore(sc, new ChoiceListStrategy(schedule), { schedules: 1 });
}

describe('kmutex', () => {
  it('mutual exclusion: at most one thread inside, whatever the schedule', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 }), scheduleArb(), (n, rounds, sched) => {
        const sc = defineScenario({
          name: 'mutex-law',
          description: '',
          system: 'law',
          threads: n,
          setup(ex) {
            const s = { m: new KMutex(ex, 'm'), inside: 0 };
            for (let t = 0; t < n; t++)
              ex.spawn(`T${t}`, (function* (): KThread<void> {
                for (let r = 0; r < rounds; r++) {
                  yield* mutexEnter(s.m);
                  s.inside++;
                  kassert(s.inside === 1, 'one thread inside');
                  yield* preempt('inside');
                  s.inside--;
                  yield* mutexExit(s.m);
                }
              })());
            return s;
          },
        });
        expect(runOnce(sc, sched).failure).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});

describe('krwlock', () => {
  it('readers exclude writers, writers exclude all, and no reader enters past a waiting writer', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 2, maxLength: 4 }), scheduleArb(), (roles, sched) => {
        const sc = defineScenario({
          name: 'rw-law',
          description: '',
          system: 'law',
          threads: roles.length,
          setup(ex) {
            // The counters are ghost state that concurrent readers write: declared, for the access guard.
            const s = { l: new KRwlock(ex, 'l'), readers: 0, writers: 0, cnt: ex.newObject('counters', 'ghost') };
            roles.forEach((writer, t) =>
              ex.spawn(`T${t}`, (function* (): KThread<void> {
                for (let r = 0; r < 2; r++) {
                  if (writer) {
                    yield* rwEnter(s.l, 'RW_WRITER');
                    s.writers++;
                    kassert(s.writers === 1 && s.readers === 0, 'writer alone');
                    yield* preempt('write');
                    s.writers--;
                  } else {
                    yield* rwEnter(s.l, 'RW_READER');
                    // Entering past a writer that waits behind other readers breaks writer preference.
                    kassert(!(s.l.wantWrite.size > 0 && s.l.readers.size > 1), 'no reader enters while a writer waits');
                    yield* localAccess(s.cnt, 'w');
                    s.readers++;
                    kassert(s.writers === 0, 'no writer while reading');
                    yield* preempt('read');
                    yield* localAccess(s.cnt, 'w');
                    s.readers--;
                  }
                  yield* rwExit(s.l);
                }
              })()),
            );
            return s;
          },
        });
        const r = runOnce(sc, sched);
        expect(r.failure?.failure ?? null).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});

describe('kcondvar', () => {
  it('no lost wake-up under correct use: every waiter passes a gate opened with cv_broadcast', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.boolean(), scheduleArb(), (waiters, spurious, sched) => {
        const sc = defineScenario({
          name: 'cv-law',
          description: '',
          system: 'law',
          threads: waiters + 1,
          spurious,
          setup(ex) {
            const s = { m: new KMutex(ex, 'm'), cv: new KCondvar(ex, 'cv'), open: false, passed: 0 };
            for (let w = 0; w < waiters; w++)
              ex.spawn(`W${w}`, (function* (): KThread<void> {
                yield* mutexEnter(s.m);
                while (!s.open) yield* cvWait(s.cv, s.m);
                s.passed++;
                yield* mutexExit(s.m);
              })());
            ex.spawn('opener', (function* (): KThread<void> {
              yield* mutexEnter(s.m);
              s.open = true;
              yield* cvBroadcast(s.cv);
              yield* mutexExit(s.m);
            })());
            return s;
          },
          endChecks: [{ name: 'all-passed', statement: '', check: (s) => (s.passed === waiters ? null : 'lost wake-up') }],
        });
        const r = runOnce(sc, sched);
        // With spurious wake-ups allowed a waiter may spin, bounded by the step limit only.
        if (!spurious) expect(r.failure).toBeNull();
        else expect(r.failure?.failure.kind ?? 'step-limit').toBe('step-limit');
      }),
      { numRuns: 200 },
    );
  });

  it('cv_signal wakes exactly one sleeper', () => {
    fc.assert(
      fc.property(scheduleArb(), (sched) => {
        const sc = defineScenario({
          name: 'cv-signal-law',
          description: '',
          system: 'law',
          threads: 3,
          setup(ex) {
            const s = { m: new KMutex(ex, 'm'), cv: new KCondvar(ex, 'cv'), tokens: 0, woke: 0 };
            for (let w = 0; w < 2; w++)
              ex.spawn(`W${w}`, (function* (): KThread<void> {
                yield* mutexEnter(s.m);
                while (s.tokens === 0) yield* cvWait(s.cv, s.m);
                s.tokens--;
                s.woke++;
                yield* mutexExit(s.m);
              })());
            ex.spawn('signaller', (function* (): KThread<void> {
              for (let k = 0; k < 2; k++) {
                yield* mutexEnter(s.m);
                s.tokens++;
                yield* cvSignal(s.cv);
                yield* mutexExit(s.m);
              }
            })());
            return s;
          },
          endChecks: [{ name: 'both-woke', statement: '', check: (s) => (s.woke === 2 ? null : `woke=${s.woke}`) }],
        });
        expect(runOnce(sc, sched).failure).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});

describe('ksema', () => {
  it('counts: never more holders than the initial count, never negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 }), scheduleArb(), (count, n, sched) => {
        const sc = defineScenario({
          name: 'sema-law',
          description: '',
          system: 'law',
          threads: n,
          setup(ex) {
            const s = { sem: new KSema(ex, 's', count), holders: 0, cnt: ex.newObject('holders', 'ghost') };
            for (let t = 0; t < n; t++)
              ex.spawn(`T${t}`, (function* (): KThread<void> {
                yield* semaP(s.sem);
                yield* localAccess(s.cnt, 'w');
                s.holders++;
                kassert(s.holders <= count && s.sem.count >= 0, 'holders <= count');
                yield* preempt('hold');
                yield* localAccess(s.cnt, 'w');
                s.holders--;
                yield* semaV(s.sem);
              })());
            return s;
          },
          endChecks: [{ name: 'restored', statement: '', check: (s) => (s.sem.count === count ? null : `count=${s.sem.count}`) }],
        });
        expect(runOnce(sc, sched).failure).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});

describe('taskq', () => {
  it('never runs more jobs at once than it has threads, and runs every dispatched job', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 4 }), scheduleArb(), (nthreads, jobs, sched) => {
        const sc = defineScenario({
          name: 'taskq-law',
          description: '',
          system: 'law',
          threads: 1,
          setup(ex) {
            const s = { tq: new KTaskq(ex, 'tq', nthreads), done: 0, maxRunning: 0, cnt: ex.newObject('job counters', 'ghost') };
            ex.spawn('dispatcher', (function* (): KThread<void> {
              for (let j = 0; j < jobs; j++)
                yield* taskqDispatch(s.tq, `job${j}`, function* () {
                  yield* localAccess(s.cnt, 'w');
                  s.maxRunning = Math.max(s.maxRunning, s.tq.running);
                  yield* preempt('job');
                  yield* localAccess(s.cnt, 'w');
                  s.done++;
                });
            })());
            return s;
          },
          endChecks: [
            { name: 'bound', statement: '', check: (s) => (s.maxRunning <= nthreads ? null : `running ${s.maxRunning}`) },
            { name: 'all-ran', statement: '', check: (s) => (s.done === jobs ? null : `done ${s.done}`) },
          ],
        });
        expect(runOnce(sc, sched).failure).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
