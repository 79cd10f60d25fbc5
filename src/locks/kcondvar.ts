/**
 * kcondvar_t. cv_wait drops the mutex and sleeps in one local step, so no
 * wake-up can be lost between the two; waking up and re-acquiring the mutex
 * is a scheduling point, enabled once the thread was signalled (or, when the
 * scenario allows spurious wake-ups, at any time: picking it then is the
 * spurious wake-up) and the mutex is free. Which sleeper cv_signal wakes is
 * a recorded choice. cv_timedwait times out on the virtual clock.
 */
import { Effect, type KThread } from '../core/effect.ts';
import { kassert } from '../core/errors.ts';
import type { Execution, Thread } from '../core/execution.ts';
import { LockCode } from './codes.ts';
import { Contention } from './contention.ts';
import { type KMutex, noteAcquire, noteRelease } from './kmutex.ts';
import { opaqueToGuard } from '../core/guard.ts';


interface Sleeper {
  t: Thread;
  woken: boolean;
  /** Timer handle of a cv_timedwait, or 0. */
  timer: number;
}

export class KCondvar {
  /** The engine object of the cv: every wait, wake, signal and broadcast accesses it. */
  readonly id: number;
  /**
   * Sleepers not yet woken, in the order they went to sleep. cv_wait adds
   * one in the step that drops the mutex; cv_signal and cv_broadcast mark
   * the woken ones and remove them (the models hold the mutex there, as the
   * kernel code does, though the cv does not require it); a spurious or
   * timed-out wake-up removes its own sleeper in the wake step.
   */
  readonly sleepers: Sleeper[] = [];
  constructor(
    ex: Execution,
    readonly name: string,
  ) {
    this.id = ex.newObject(name, 'kcondvar');
    ex.registerStateful(this);
  }
  /** State for state caching (see Execution.stateKey). */
  stateKey(): string {
    return `cv${this.sleepers.map((s) => s.t.id).join('.')}`;
  }
  /** Number of threads asleep on the cv (not yet signalled). */
  get waiters(): number {
    return this.sleepers.length;
  }
}
opaqueToGuard(KCondvar.prototype);

class CvSleep extends Effect<Sleeper> {
  readonly code = LockCode.cvWaitSleep;
  readonly sched = false;
  readonly obj: number;
  constructor(
    readonly cv: KCondvar,
    readonly m: KMutex,
    readonly ticks: number,
  ) {
    super();
    this.obj = cv.id;
  }
  perform(ex: Execution, t: Thread): Sleeper {
    kassert(this.m.owner === t, () => `MUTEX_HELD(${this.m.name}) in cv_wait(${this.cv.name})`, 'kcondvar');
    this.m.owner = null;
    noteRelease(t, this.m.id);
    const s: Sleeper = { t, woken: false, timer: this.ticks >= 0 ? ex.armTimer(ex.now + this.ticks) : 0 };
    this.cv.sleepers.push(s);
    if (this.cv.sleepers.length >= 2) Contention.of(ex.options.run).cvsMultiWaiter.add(this.cv.name);
    ex.touch(this.m.id, true);
    ex.touch(this.cv.id, true);
    return s;
  }
  describe(): string {
    return `cv_wait(${this.cv.name}, ${this.m.name}) sleeps`;
  }
}

class CvWake extends Effect<number> {
  readonly code = LockCode.cvWaitWake;
  readonly sched = true;
  readonly obj: number;
  constructor(
    readonly cv: KCondvar,
    readonly m: KMutex,
    readonly s: Sleeper,
  ) {
    super();
    this.obj = cv.id;
  }
  override enabled(ex: Execution, t: Thread): boolean {
    if (this.m.owner !== null) return false;
    return this.s.woken || (this.s.timer !== 0 && ex.timerCanFire(this.s.timer)) || t.spuriousWakeups < ex.options.spurious;
  }
  perform(ex: Execution, t: Thread): number {
    let rv = 1;
    if (!this.s.woken) {
      const i = this.cv.sleepers.indexOf(this.s);
      if (i >= 0) this.cv.sleepers.splice(i, 1);
      if (this.s.timer !== 0 && ex.timerCanFire(this.s.timer)) {
        ex.fireTimer(this.s.timer);
        rv = -1;
      } else {
        t.spuriousWakeups++;
        if (this.s.timer !== 0) ex.disarmTimer(this.s.timer);
      }
    } else if (this.s.timer !== 0) ex.disarmTimer(this.s.timer);
    if (this.m.mem) this.m.mem.check(ex, () => `mutex_enter(${this.m.name}) in cv_wait`);
    this.m.owner = t;
    noteAcquire(ex, t, this.m.heldRec);
    ex.touch(this.cv.id, true);
    ex.touch(this.m.id, true);
    return rv;
  }
  override blockers(): number[] {
    return this.s.woken && this.m.owner ? [this.m.owner.id] : [];
  }
  describe(): string {
    return this.s.woken ? `cv_wait(${this.cv.name}) wakes, re-enters ${this.m.name}` : `cv_wait(${this.cv.name}, ${this.m.name})`;
  }
}

/** cv_wait(&cv, &m): caller holds m; returns holding m. */
export function* cvWait(cv: KCondvar, m: KMutex, site?: string): KThread<void> {
  const sl = new CvSleep(cv, m, -1);
  sl.site = site;
  const s = yield* sl;
  const w = new CvWake(cv, m, s);
  w.site = site;
  yield* w;
}

/**
 * cv_timedwait(&cv, &m, now + ticks) on the virtual clock: -1 if it timed
 * out, a positive value if it was woken. Returns holding m.
 */
export function* cvTimedwait(cv: KCondvar, m: KMutex, ticks: number, site?: string): KThread<number> {
  const sl = new CvSleep(cv, m, Math.max(0, ticks));
  sl.site = site;
  const s = yield* sl;
  const w = new CvWake(cv, m, s);
  w.site = site;
  return yield* w;
}

class CvSignal extends Effect<void> {
  readonly sched = false;
  readonly obj: number;
  constructor(
    readonly cv: KCondvar,
    readonly code: number,
  ) {
    super();
    this.obj = cv.id;
  }
  perform(ex: Execution): void {
    const sl = this.cv.sleepers;
    ex.touch(this.cv.id, true);
    if (sl.length === 0) return;
    if (this.code === LockCode.cvBroadcast) {
      // Wake every sleeper and empty the queue (pop: no array truncation).
      while (sl.length > 0) sl.pop()!.woken = true;
      return;
    }
    const i = sl.length > 1 ? ex.choose(sl.length, `cv_signal(${this.cv.name}) wakes`) : 0;
    sl[i]!.woken = true;
    sl.splice(i, 1);
  }
  describe(): string {
    return `${this.code === LockCode.cvBroadcast ? 'cv_broadcast' : 'cv_signal'}(${this.cv.name})`;
  }
}

/** cv_signal(&cv): wakes one sleeper (which one is a recorded choice). */
export function cvSignal(cv: KCondvar, site?: string): CvSignal {
  const e = new CvSignal(cv, LockCode.cvSignal);
  e.site = site;
  return e;
}

/** cv_broadcast(&cv): wakes every sleeper. */
export function cvBroadcast(cv: KCondvar, site?: string): CvSignal {
  const e = new CvSignal(cv, LockCode.cvBroadcast);
  e.site = site;
  return e;
}
