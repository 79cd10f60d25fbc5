/**
 * Ghost memory: kmem_alloc/kmem_free of model objects. A freed object stays
 * in the model as a tombstone, so any later touch (taking a lock inside it,
 * reading a field) is reported as a use-after-free naming the object and
 * the thread.
 */
import { Effect } from '../core/effect.ts';
import { type AssertMessage, messageOf, ModelFailure } from '../core/errors.ts';
import type { Execution, Thread } from '../core/execution.ts';
import { LockCode } from './codes.ts';
import { opaqueToGuard } from '../core/guard.ts';

export class KMem {
  freed = false;
  /** Who freed it and at which step, for the report. */
  freedBy = '';
  freedAt = -1;
  readonly id: number;
  constructor(
    ex: Execution,
    readonly name: string,
  ) {
    this.id = ex.newObject(name, 'kmem');
    ex.registerStateful(this);
  }
  /** State for state caching (see Execution.stateKey). */
  stateKey(): string {
    return this.freed ? 'F' : 'a';
  }
  /**
   * Fail if freed: call before any access to the object or its fields.
   * `what` may be a function, called only when the check fails.
   */
  check(ex: Execution, what: AssertMessage): void {
    if (this.freed) {
      const t = ex.current ? ex.current.name : 'setup';
      throw new ModelFailure(
        'use-after-free',
        'no-use-after-free',
        `${t} ${messageOf(what)} of ${this.name}, freed by ${this.freedBy} at step ${this.freedAt}`,
      );
    }
  }
}
opaqueToGuard(KMem.prototype);

class KmemFree extends Effect<void> {
  readonly code = LockCode.kmemFree;
  readonly sched = false;
  readonly obj: number;
  constructor(readonly mem: KMem) {
    super();
    this.obj = mem.id;
  }
  perform(ex: Execution, t: Thread): void {
    this.mem.check(ex, 'kmem_free');
    this.mem.freed = true;
    this.mem.freedBy = t.name;
    this.mem.freedAt = ex.stepIndex;
    ex.touch(this.mem.id, true);
  }
  describe(): string {
    return `kmem_free(${this.mem.name})`;
  }
}

/** kmem_free(obj): later touches are use-after-free; double free is one too. */
export function kmemFree(mem: KMem, site?: string): KmemFree {
  const e = new KmemFree(mem);
  e.site = site;
  return e;
}

class KmemTouch extends Effect<void> {
  readonly code = LockCode.kmemTouch;
  readonly obj: number;
  constructor(
    readonly mem: KMem,
    readonly write: boolean,
    readonly field: string,
    readonly sched: boolean,
  ) {
    super();
    this.obj = mem.id;
  }
  /** A parked read of a field reads the object (DPOR's view of a pending step). */
  override get pendingWrite(): boolean {
    return this.write;
  }
  perform(ex: Execution): void {
    this.mem.check(ex, () => `${this.write ? 'write' : 'read'} of ${this.field}`);
    ex.touch(this.mem.id, this.write);
  }
  describe(): string {
    return `${this.write ? 'write' : 'read'} ${this.mem.name}.${this.field}`;
  }
}

/**
 * An access to a field of an allocated object. `unlocked` accesses are
 * scheduling points; accesses under the object's lock are local.
 */
export function memAccess(mem: KMem, mode: 'r' | 'w', field: string, unlocked = false, site?: string): KmemTouch {
  const e = new KmemTouch(mem, mode === 'w', field, unlocked);
  e.site = site;
  return e;
}

class KmemAlloc extends Effect<boolean> {
  readonly code = LockCode.kmemAlloc;
  readonly sched = false;
  readonly obj = -1;
  constructor(readonly what: string) {
    super();
  }
  perform(ex: Execution): boolean {
    if (!ex.options.allocFail) return true;
    return ex.choose(2, `KM_NOSLEEP ${this.what}`) === 0;
  }
  describe(): string {
    return `kmem_alloc(${this.what}, KM_NOSLEEP)`;
  }
}

/** kmem_alloc(KM_NOSLEEP): true on success; fails only as a recorded choice when the scenario allows it. */
export function kmemAllocNosleep(what: string): KmemAlloc {
  return new KmemAlloc(what);
}

/**
 * Several kmem_alloc(KM_NOSLEEP) calls made back to back and tested together,
 * as in `a = alloc(); b = alloc(); if (a == NULL || b == NULL) goto fail;`
 * where the failure path frees whichever succeeded. Which of them failed is
 * not observable after the test (nothing is locked or shared between the
 * calls, and freeing NULL is a no-op), so the 2^n outcomes are recorded as
 * the two that differ: all succeed (true), or at least one fails (false).
 * One recorded choice instead of n, so DPOR does not explore 2^n - 1
 * executions that end in the same state.
 */
export function kmemAllocNosleepAll(whats: readonly string[]): KmemAlloc {
  return new KmemAlloc(whats.join(' + '));
}
