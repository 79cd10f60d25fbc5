/**
 * ksema_t, counting semaphore. sema_p is a scheduling point enabled while
 * the count is positive; which waiter gets a sema_v'd unit is the
 * scheduler's choice. sema_v never blocks.
 */
import { Effect } from '../core/effect.ts';
import type { Execution } from '../core/execution.ts';
import { LockCode } from './codes.ts';
import { opaqueToGuard } from '../core/guard.ts';

export class KSema {
  /** The engine object of the semaphore: every sema_p, sema_tryp and sema_v accesses it. */
  readonly id: number;
  constructor(
    ex: Execution,
    readonly name: string,
    /** s_count: decremented by the sema_p step that takes a unit, incremented by sema_v; nothing else writes it. */
    public count: number,
  ) {
    this.id = ex.newObject(name, 'ksema');
    ex.registerStateful(this);
  }
  /** State for state caching (see Execution.stateKey). */
  stateKey(): string {
    return `s${this.count}`;
  }
}
opaqueToGuard(KSema.prototype);

class SemaOp extends Effect<boolean> {
  readonly obj: number;
  readonly sched: boolean;
  constructor(
    readonly s: KSema,
    readonly code: number,
  ) {
    super();
    this.obj = s.id;
    this.sched = code !== LockCode.semaV;
  }
  override enabled(): boolean {
    return this.code !== LockCode.semaP || this.s.count > 0;
  }
  perform(ex: Execution): boolean {
    ex.touch(this.s.id, true);
    if (this.code === LockCode.semaV) {
      this.s.count++;
      return true;
    }
    if (this.s.count > 0) {
      this.s.count--;
      return true;
    }
    return false;
  }
  describe(): string {
    const n = this.code === LockCode.semaP ? 'sema_p' : this.code === LockCode.semaV ? 'sema_v' : 'sema_tryp';
    return `${n}(${this.s.name})`;
  }
}

/** sema_p(&s): blocks until the count is positive, then takes one. */
export function semaP(s: KSema, site?: string): SemaOp {
  const e = new SemaOp(s, LockCode.semaP);
  e.site = site;
  return e;
}
/** sema_v(&s): gives one back. */
export function semaV(s: KSema, site?: string): SemaOp {
  const e = new SemaOp(s, LockCode.semaV);
  e.site = site;
  return e;
}
/** sema_tryp(&s): true if it took one; never blocks. */
export function semaTryP(s: KSema, site?: string): SemaOp {
  const e = new SemaOp(s, LockCode.semaTryP);
  e.site = site;
  return e;
}
