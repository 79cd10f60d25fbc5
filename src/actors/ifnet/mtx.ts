/**
 * FreeBSD mtx(9) over the kernel mutex primitive: mtx_lock, mtx_unlock,
 * mtx_destroy. What KMutex lacks is the destroyed state: mtx_destroy of an
 * owned mutex and mtx_lock of a destroyed one are the INVARIANTS panics
 * ("mtx_lock() of destroyed mutex"), here failures of spec LK-1. The
 * mutex lives inside its object (`mem`), so a lock of a freed one is a
 * use-after-free as well.
 */
import type { KThread } from '../../core/effect.ts';
import { kassert } from '../../core/errors.ts';
import type { Execution } from '../../core/execution.ts';
import { localAccess } from '../../core/ops.ts';
import type { KMem } from '../../locks/kmem.ts';
import { KMutex, mutexEnter, mutexExit } from '../../locks/kmutex.ts';

export class Mtx {
  readonly m: KMutex;
  /** MTX_DESTROYED: set by mtx_destroy; written with the mutex's footprint. */
  destroyed = false;
  /** mtx_init has run (LO_INITIALIZED); false only for a mutex whose owner initialises it late (fb-pre-bf5b2167-init-in-attach). */
  inited = true;
  constructor(ex: Execution, name: string, cls: string, mem: KMem) {
    this.m = new KMutex(ex, name, { cls, mem });
  }
}

/** mtx_lock. A scheduling point; fails LK-1 if the mutex was destroyed by the time it is taken. */
export function* mtxLock(mtx: Mtx, site?: string): KThread<void> {
  yield* mutexEnter(mtx.m, site);
  kassert(mtx.inited, () => `mtx_lock() of uninitialized mutex ${mtx.m.name}`, 'LK-1');
  kassert(!mtx.destroyed, () => `mtx_lock() of destroyed mutex ${mtx.m.name}`, 'LK-1');
}

/** mtx_unlock. */
export function* mtxUnlock(mtx: Mtx, site?: string): KThread<void> {
  yield* mutexExit(mtx.m, site);
}

/** mtx_destroy: the mutex must not be owned; later locks fail. A local effect on the mutex. */
export function* mtxDestroy(mtx: Mtx, site?: string): KThread<void> {
  kassert(!mtx.destroyed, () => `mtx_destroy() of destroyed mutex ${mtx.m.name}`, 'LK-1');
  kassert(mtx.m.owner === null, () => `mtx_destroy() of ${mtx.m.name} owned by ${mtx.m.owner!.name}`, 'LK-1');
  yield* localAccess(mtx.m.id, 'w', 'mtx_destroy', site);
  mtx.destroyed = true;
}

/**
 * mtx_init over a mutex that already exists. With INVARIANTS, lock_init
 * panics on a lock that is initialised and not destroyed ("lock already
 * initialized", LK-1); without it the owner word is reset under a holder.
 * A destroyed mutex may be initialised again.
 */
export function* mtxReinit(mtx: Mtx, site?: string): KThread<void> {
  kassert(mtx.destroyed, () => `mtx_init() of ${mtx.m.name}: lock already initialized${mtx.m.owner ? ` (owned by ${mtx.m.owner.name})` : ''}`, 'LK-1');
  yield* localAccess(mtx.m.id, 'w', 'mtx_init', site);
  mtx.destroyed = false;
}

/** mtx_init of a mutex not initialised yet. A local effect on the mutex. */
export function* mtxInit(mtx: Mtx, site?: string): KThread<void> {
  kassert(!mtx.inited, () => `mtx_init() of ${mtx.m.name}: lock already initialized`, 'LK-1');
  yield* localAccess(mtx.m.id, 'w', 'mtx_init', site);
  mtx.inited = true;
}
