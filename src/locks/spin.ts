/**
 * A spin-wait on a word: `while (cond is false) cpu_spinwait();` with no
 * lock, as lock-free code waits for another CPU's store. Modelled as one
 * scheduling point that is enabled when the condition holds (so a spin that
 * can never end is reported as a deadlock, the model's name for a CPU
 * spinning forever), and that reads the word when it proceeds. The
 * condition must depend only on state written through the object `obj`
 * (DPOR orders the waiter against the writers of obj).
 */
import { Effect } from '../core/effect.ts';
import type { Execution } from '../core/execution.ts';
import { LockCode } from './codes.ts';

class SpinWait extends Effect<void> {
  readonly code = LockCode.spinWait;
  readonly sched = true;
  constructor(
    readonly obj: number,
    readonly cond: () => boolean,
    readonly what: string,
  ) {
    super();
  }
  override get pendingWrite(): boolean {
    return false;
  }
  override enabled(): boolean {
    return this.cond();
  }
  perform(ex: Execution): void {
    ex.touch(this.obj, false);
  }
  describe(): string {
    return `spin until ${this.what}`;
  }
}

/** `while (!cond()) cpu_spinwait();` on the word `obj`. */
export function spinUntil(obj: number, cond: () => boolean, what: string, site?: string): SpinWait {
  const e = new SpinWait(obj, cond, what);
  e.site = site;
  return e;
}
