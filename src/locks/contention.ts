/**
 * Lock contention coverage for a run: which mutexes were contended (a thread
 * parked on one another thread held), which condition variables had two or
 * more sleepers at once, which rwlocks saw a writer wait. Filled by the
 * primitives when a thread parks; read by `nsm fuzz` and `nsm coverage`.
 */
import type { RunContext } from '../core/execution.ts';
import { opaqueToGuard } from '../core/guard.ts';

export class Contention {
  readonly mutexes = new Set<string>();
  readonly cvsMultiWaiter = new Set<string>();
  readonly rwWriterWaited = new Set<string>();
  static of(run: RunContext): Contention {
    let c = run.shared.get('contention') as Contention | undefined;
    if (!c) run.shared.set('contention', (c = new Contention()));
    return c;
  }
  toJSON(): { mutexes: string[]; cvsMultiWaiter: string[]; rwWriterWaited: string[] } {
    return { mutexes: [...this.mutexes].sort(), cvsMultiWaiter: [...this.cvsMultiWaiter].sort(), rwWriterWaited: [...this.rwWriterWaited].sort() };
  }
}
opaqueToGuard(Contention.prototype);
