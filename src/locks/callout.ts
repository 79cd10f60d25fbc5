/**
 * timeout(9F)/untimeout(9F) on the virtual clock. timeout() arms a callout
 * that fires `ticks` after now: its callback runs in a callout thread (a
 * daemon), and firing is a scheduling point enabled when no earlier timer is
 * armed. untimeout() of a pending callout cancels it; of a running one it
 * waits for the callback to return (as illumos does), unless called from the
 * callback itself; of a finished or cancelled one it returns at once.
 * Returns -1 when nothing was cancelled, else the remaining ticks.
 */
import { Effect, type KThread } from '../core/effect.ts';
import type { Execution, Thread } from '../core/execution.ts';
import { LockCode } from './codes.ts';
import { opaqueToGuard } from '../core/guard.ts';

export type CalloutState = 'pending' | 'running' | 'done' | 'cancelled';

export class Callout {
  state: CalloutState = 'pending';
  thread: Thread | null = null;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly timer: number,
    readonly deadline: number,
    readonly obj: number,
  ) {}
  /** For the state walk (Scenario.stateWalk): a callout is named by its id; its state is whether it is pending, running, done or cancelled. */
  stateKey(): string {
    return this.state;
  }
}
opaqueToGuard(Callout.prototype);

class CalloutFire extends Effect<boolean> {
  readonly code = LockCode.calloutFire;
  readonly sched = true;
  readonly obj: number;
  constructor(readonly c: Callout) {
    super();
    this.obj = c.obj;
  }
  override enabled(ex: Execution): boolean {
    return this.c.state === 'pending' && ex.timerCanFire(this.c.timer);
  }
  perform(ex: Execution): boolean {
    ex.fireTimer(this.c.timer);
    this.c.state = 'running';
    ex.touch(this.c.obj, true);
    return true;
  }
  describe(): string {
    return `callout ${this.c.name} fires at ${this.c.deadline}`;
  }
}

function* calloutThread(ex: Execution, c: Callout, fn: () => KThread): KThread<void> {
  yield* new CalloutFire(c);
  yield* fn();
  c.state = 'done';
  ex.touch(c.obj, true);
}

class Timeout extends Effect<Callout> {
  readonly code = LockCode.timeoutArm;
  readonly sched = false;
  readonly obj = -1;
  constructor(
    readonly name: string,
    readonly fn: () => KThread,
    readonly ticks: number,
  ) {
    super();
  }
  perform(ex: Execution): Callout {
    const deadline = ex.now + Math.max(1, this.ticks);
    const obj = ex.newObject(`callout ${this.name}`, 'callout');
    const c = new Callout(obj, this.name, ex.armTimer(deadline), deadline, obj);
    c.thread = ex.spawn(`callout:${this.name}`, calloutThread(ex, c, this.fn), true);
    ex.touch(obj, true);
    return c;
  }
  describe(): string {
    return `timeout(${this.name}, ${this.ticks})`;
  }
}

/** timeout(fn, arg, ticks): evaluates to the callout (its id). */
export function timeout(name: string, fn: () => KThread, ticks: number, site?: string): Timeout {
  const e = new Timeout(name, fn, ticks);
  e.site = site;
  return e;
}

class Untimeout extends Effect<number> {
  readonly code = LockCode.untimeout;
  readonly sched = true;
  readonly obj: number;
  constructor(readonly c: Callout) {
    super();
    this.obj = c.obj;
  }
  override enabled(ex: Execution, t: Thread): boolean {
    return this.c.state !== 'running' || this.c.thread === t;
  }
  perform(ex: Execution): number {
    ex.touch(this.c.obj, true);
    if (this.c.state === 'pending') {
      this.c.state = 'cancelled';
      ex.disarmTimer(this.c.timer);
      return Math.max(0, this.c.deadline - ex.now);
    }
    return -1;
  }
  override blockers(): number[] {
    return this.c.state === 'running' && this.c.thread ? [this.c.thread.id] : [];
  }
  describe(): string {
    return `untimeout(${this.c.name})`;
  }
}

/** untimeout(id): cancel, or wait for a running callback to finish. */
export function untimeout(c: Callout, site?: string): Untimeout {
  const e = new Untimeout(c);
  e.site = site;
  return e;
}

/**
 * timeout() from scenario setup (outside any thread): arms the callout at
 * once, as if a thread had called timeout() before the execution began.
 */
export function armTimeout(ex: Execution, name: string, fn: () => KThread, ticks: number): Callout {
  return new Timeout(name, fn, ticks).perform(ex);
}
