/**
 * kmutex_t, illumos adaptive mutex semantics.
 *
 * m_owner is the only state. mutex_enter is a scheduling point, enabled
 * while the mutex is free; when several threads wait, which one gets it next
 * is the scheduler's choice (a newcomer may barge in: no FIFO hand-off).
 * Recursive entry and mutex_exit by a non-owner are failures, as the kernel's
 * ASSERTs and panics make them.
 */
import { Effect } from '../core/effect.ts';
import { kassert, ModelFailure } from '../core/errors.ts';
import type { Execution, Thread } from '../core/execution.ts';
import { LockCode } from './codes.ts';
import type { KMem } from './kmem.ts';
import { Contention } from './contention.ts';
import { LockOrderGraph } from './lockorder.ts';
import { opaqueToGuard } from '../core/guard.ts';

/*
 * What protects the fields of the lock primitives in this directory: a
 * primitive's state is changed only inside the steps of its own effects
 * (enter, exit, wait, wake, ...), each of which runs alone (the scheduler
 * runs one thread at a time) and records an access to the primitive's
 * object `id`, so DPOR orders every two steps that change it. Models never
 * write these fields; they read them only through the *_HELD predicates.
 */
export class KMutex {
  /** The engine object of the mutex: every enter, tryenter and exit accesses it. */
  readonly id: number;
  /** m_owner: written by mutexEnter/mutexTryEnter (free -> me) and mutexExit (me -> free) only. */
  owner: Thread | null = null;
  /** Lock class for the lock-order graph (all ns_lock of all stacks are one class). */
  readonly cls: string;
  constructor(
    ex: Execution,
    readonly name: string,
    opts: { cls?: string; mem?: KMem; commutes?: boolean } = {},
  ) {
    this.id = ex.newObject(name, 'kmutex');
    // A scenario that ends at a thread's return (exitWith) orders every
    // critical section: commuting is not shown sound with it (dpor-soundness).
    this.commutes = opts.commutes === true && ex.scenario.exitWith === undefined;
    if (this.commutes) ex.markCommuting(this.id);
    ex.registerStateful(this);
    this.cls = opts.cls ?? name;
    this.mem = opts.mem ?? null;
    this.heldRec = { id: this.id, name, cls: this.cls };
  }
  /** What Thread.held lists while a thread owns it (one shared record, never mutated). */
  readonly heldRec: HeldLock;
  /** State for state caching (see Execution.stateKey). */
  stateKey(): string {
    return `m${this.owner ? this.owner.id : '-'}`;
  }
  readonly mem: KMem | null;
  /**
   * DPOR may commute two critical sections of this mutex whose contents do
   * not conflict (Execution.markCommuting). A model sets it only when every
   * access to the data the mutex protects is recorded in footprints.
   */
  readonly commutes: boolean;
  /** MUTEX_HELD(m): held by the running thread. */
  held(ex: Execution): boolean {
    return this.owner !== null && this.owner === ex.current;
  }
}
opaqueToGuard(KMutex.prototype);

/** MUTEX_HELD(&m). */
export function MUTEX_HELD(ex: Execution, m: KMutex): boolean {
  return m.held(ex);
}

/** A lock as Thread.held lists it: each lock has one record, shared, never mutated. */
export interface HeldLock {
  readonly id: number;
  readonly name: string;
  readonly cls: string;
}

/** t acquires the lock `rec`: lock-order edges from what it holds, then it holds rec (innermost). */
export function noteAcquire(ex: Execution, t: Thread, rec: HeldLock): void {
  if (t.held.length > 0) LockOrderGraph.of(ex.options.run).acquireHeld(ex, t.held, rec.cls);
  t.held.push(rec);
}

/** t releases lock `id`: usually the innermost (pop), else shift the inner ones down. */
export function noteRelease(t: Thread, id: number): void {
  const h = t.held;
  const n = h.length;
  for (let i = n - 1; i >= 0; i--) {
    if (h[i]!.id === id) {
      for (let k = i; k + 1 < n; k++) h[k] = h[k + 1]!;
      h.pop();
      return;
    }
  }
}

class MutexEnter extends Effect<void> {
  readonly code = LockCode.mutexEnter;
  readonly sched = true;
  readonly obj: number;
  constructor(readonly m: KMutex) {
    super();
    this.obj = m.id;
  }
  override enabled(): boolean {
    return this.m.owner === null;
  }
  override onPending(ex: Execution, t: Thread): void {
    if (this.m.owner === t) throw new ModelFailure('assert', 'kmutex', `recursive mutex_enter(${this.m.name}) by ${t.name}`);
    if (this.m.owner !== null) Contention.of(ex.options.run).mutexes.add(this.m.cls);
  }
  perform(ex: Execution, t: Thread): void {
    if (this.m.mem) this.m.mem.check(ex, () => `mutex_enter(${this.m.name})`);
    this.m.owner = t;
    ex.touch(this.m.id, !this.m.commutes);
    noteAcquire(ex, t, this.m.heldRec);
  }
  /** Mutex waits alone are lock-order cycles (see Effect.commuteBarrier). */
  override get commuteBarrier(): boolean {
    return false;
  }
  /** Blocks while another thread owns m (a commuting mutex's sections are reordered by relocation instead). */
  override get acquires(): number {
    return this.m.commutes ? -1 : this.obj;
  }
  override blockers(): number[] {
    return this.m.owner ? [this.m.owner.id] : [];
  }
  describe(): string {
    return `mutex_enter(${this.m.name})`;
  }
}

/** mutex_enter(&m): a scheduling point; blocks while another thread owns m. */
export function mutexEnter(m: KMutex, site?: string): MutexEnter {
  const e = new MutexEnter(m);
  e.site = site;
  return e;
}

class MutexExit extends Effect<void> {
  readonly code = LockCode.mutexExit;
  readonly sched = false;
  readonly obj: number;
  constructor(readonly m: KMutex) {
    super();
    this.obj = m.id;
  }
  perform(ex: Execution, t: Thread): void {
    if (this.m.mem) this.m.mem.check(ex, () => `mutex_exit(${this.m.name})`);
    kassert(this.m.owner === t, () => `MUTEX_HELD(${this.m.name}) in mutex_exit by ${t.name}`, 'kmutex');
    this.m.owner = null;
    ex.touch(this.m.id, !this.m.commutes);
    noteRelease(t, this.m.id);
  }
  describe(): string {
    return `mutex_exit(${this.m.name})`;
  }
}

/** mutex_exit(&m): local (not a scheduling point); the caller must own m. */
export function mutexExit(m: KMutex, site?: string): MutexExit {
  const e = new MutexExit(m);
  e.site = site;
  return e;
}

class MutexTryEnter extends Effect<boolean> {
  readonly code = LockCode.mutexTryEnter;
  readonly sched = true;
  readonly obj: number;
  constructor(readonly m: KMutex) {
    super();
    this.obj = m.id;
  }
  perform(ex: Execution, t: Thread): boolean {
    if (this.m.mem) this.m.mem.check(ex, () => `mutex_tryenter(${this.m.name})`);
    ex.touch(this.m.id, true);
    if (this.m.owner !== null) return false;
    this.m.owner = t;
    noteAcquire(ex, t, this.m.heldRec);
    return true;
  }
  describe(): string {
    return `mutex_tryenter(${this.m.name})`;
  }
}

/** mutex_tryenter(&m): true if acquired; never blocks. */
export function mutexTryEnter(m: KMutex, site?: string): MutexTryEnter {
  const e = new MutexTryEnter(m);
  e.site = site;
  return e;
}
