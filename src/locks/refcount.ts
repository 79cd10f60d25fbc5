/**
 * A reference count with ghost checks: it never goes negative, and a hold
 * on a count that already reached zero (resurrection) is a failure. Holds
 * and releases are local effects; callers take whatever lock protects the
 * count in the C code first.
 */
import { Effect } from '../core/effect.ts';
import { ModelFailure } from '../core/errors.ts';
import type { Execution } from '../core/execution.ts';
import { LockCode } from './codes.ts';
import { opaqueToGuard } from '../core/guard.ts';

export class KRefcount {
  readonly id: number;
  /** Set once the count dropped to zero: any later hold is a resurrection. */
  dead = false;
  constructor(
    ex: Execution,
    readonly name: string,
    public count: number,
  ) {
    this.id = ex.newObject(name, 'refcount');
    ex.registerStateful(this);
  }
  /** State for state caching (see Execution.stateKey). */
  stateKey(): string {
    return `r${this.count}${this.dead ? 'd' : ''}`;
  }
}
opaqueToGuard(KRefcount.prototype);

class RefOp extends Effect<number> {
  readonly sched = false;
  readonly obj: number;
  constructor(
    readonly r: KRefcount,
    readonly code: number,
  ) {
    super();
    this.obj = r.id;
  }
  perform(ex: Execution): number {
    const r = this.r;
    ex.touch(r.id, true);
    if (this.code === LockCode.refHold) {
      if (r.dead) throw new ModelFailure('assert', 'refcount', `hold on ${r.name} after it dropped to zero (resurrection)`);
      return ++r.count;
    }
    if (r.count <= 0) throw new ModelFailure('assert', 'refcount', `release of ${r.name} with count ${r.count} (would go negative)`);
    if (--r.count === 0) r.dead = true;
    return r.count;
  }
  describe(): string {
    return `${this.code === LockCode.refHold ? 'hold' : 'rele'}(${this.r.name})`;
  }
}

/** Take a reference; evaluates to the new count. */
export function refHold(r: KRefcount, site?: string): RefOp {
  const e = new RefOp(r, LockCode.refHold);
  e.site = site;
  return e;
}
/** Drop a reference; evaluates to the new count (0: the caller frees). */
export function refRele(r: KRefcount, site?: string): RefOp {
  const e = new RefOp(r, LockCode.refRele);
  e.site = site;
  return e;
}
