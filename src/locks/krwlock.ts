/**
 * krwlock_t. Writer preference as in illumos: once a writer waits, new
 * readers block (RW_WRITE_WANTED). rw_enter is a scheduling point; rw_exit
 * and rw_downgrade are local. RW_READ_HELD here means "the running thread
 * holds it as reader" (stricter than the kernel's "somebody does").
 *
 * Footprint (for DPOR): readers entering and leaving only read the lock
 * while no writer is parked on it, so reader sections of different threads
 * commute; a writer, a parked writer, and readers while one is parked write
 * it. A commuting rwlock (`commutes`, see KMutex) also lets a writer enter
 * and leave with a read while no other writer is parked: its sections are
 * then ordered by their contents only.
 */
import { Effect } from '../core/effect.ts';
import { kassert, ModelFailure } from '../core/errors.ts';
import type { Execution, Thread } from '../core/execution.ts';
import { LockCode } from './codes.ts';
import { Contention } from './contention.ts';
import { type HeldLock, noteAcquire, noteRelease } from './kmutex.ts';
import { opaqueToGuard } from '../core/guard.ts';

export type RwMode = 'RW_READER' | 'RW_WRITER';

export class KRwlock {
  /** The engine object of the lock: every rw_enter, rw_tryenter, rw_exit and rw_downgrade accesses it (see the footprint above). */
  readonly id: number;
  /** The write owner: set by rw_enter(RW_WRITER)/rw_tryenter, cleared by rw_exit and rw_downgrade (which make it a reader). */
  writer: Thread | null = null;
  /** Read holds per thread (a thread may hold it as reader more than once); changed by the reader enter and exit steps. */
  readonly readers = new Map<Thread, number>();
  /** Writers parked on rw_enter(RW_WRITER) (the RW_WRITE_WANTED bit); added when a writer blocks, removed when it enters. */
  readonly wantWrite = new Set<Thread>();
  readonly cls: string;
  /** DPOR may commute sections whose contents do not conflict (Execution.markCommuting); needs every protected access recorded. */
  readonly commutes: boolean;
  constructor(
    ex: Execution,
    readonly name: string,
    opts: { cls?: string; commutes?: boolean } = {},
  ) {
    this.id = ex.newObject(name, 'krwlock');
    ex.registerStateful(this);
    this.cls = opts.cls ?? name;
    // A scenario that ends at a thread's return (exitWith) orders every
    // critical section: commuting is not shown sound with it (dpor-soundness).
    this.commutes = opts.commutes === true && ex.scenario.exitWith === undefined;
    if (this.commutes) ex.markCommuting(this.id);
    this.heldRec = { id: this.id, name, cls: this.cls };
  }
  /** What Thread.held lists while a thread holds it (one shared record). */
  readonly heldRec: HeldLock;
  /** State for state caching (see Execution.stateKey). */
  stateKey(): string {
    return `rw${this.writer ? this.writer.id : '-'}/${[...this.readers].map(([t, n]) => `${t.id}x${n}`).sort().join('.')}/${[...this.wantWrite].map((t) => t.id).sort().join('.')}`;
  }
  /** A writer waits while the lock is held: new readers must block. */
  writeWanted(): boolean {
    if (this.wantWrite.size === 0) return false;
    return this.writer !== null || this.readers.size > 0;
  }
}
opaqueToGuard(KRwlock.prototype);

export function RW_LOCK_HELD(ex: Execution, l: KRwlock): boolean {
  return ex.current !== null && (l.writer === ex.current || l.readers.has(ex.current));
}
export function RW_WRITE_HELD(ex: Execution, l: KRwlock): boolean {
  return ex.current !== null && l.writer === ex.current;
}
export function RW_READ_HELD(ex: Execution, l: KRwlock): boolean {
  return ex.current !== null && l.readers.has(ex.current);
}

function canEnter(l: KRwlock, mode: RwMode): boolean {
  if (mode === 'RW_WRITER') return l.writer === null && l.readers.size === 0;
  return l.writer === null && !l.writeWanted();
}

function take(ex: Execution, t: Thread, l: KRwlock, mode: RwMode): void {
  if (mode === 'RW_WRITER') {
    l.writer = t;
    l.wantWrite.delete(t);
  } else l.readers.set(t, (l.readers.get(t) ?? 0) + 1);
  ex.touch(l.id, (mode === 'RW_WRITER' && !l.commutes) || l.wantWrite.size > 0);
  noteAcquire(ex, t, l.heldRec);
}

class RwEnter extends Effect<void> {
  readonly code = LockCode.rwEnter;
  readonly sched = true;
  readonly obj: number;
  constructor(
    readonly l: KRwlock,
    readonly mode: RwMode,
  ) {
    super();
    this.obj = l.id;
  }
  override onPending(_ex: Execution, t: Thread): void {
    if (this.l.writer === t) throw new ModelFailure('assert', 'krwlock', `rw_enter(${this.l.name}) by ${t.name}, which already holds it as writer`);
    if (this.mode === 'RW_WRITER') {
      if (this.l.readers.has(t)) throw new ModelFailure('assert', 'krwlock', `rw_enter(${this.l.name}, RW_WRITER) by ${t.name}, which holds it as reader`);
      this.l.wantWrite.add(t);
      // A parked writer changes whether readers may enter: a write of the lock.
      _ex.touch(this.l.id, true);
      if (this.l.writer !== null || this.l.readers.size > 0) Contention.of(_ex.options.run).rwWriterWaited.add(this.l.cls);
    }
  }
  override enabled(): boolean {
    return canEnter(this.l, this.mode);
  }
  /** Lock waits alone are lock-order cycles (see Effect.commuteBarrier). */
  override get commuteBarrier(): boolean {
    return false;
  }
  /** A writer blocks while anyone holds the lock (a commuting lock's sections are reordered by relocation instead). */
  override get acquires(): number {
    return this.mode === 'RW_WRITER' && !this.l.commutes ? this.obj : -1;
  }
  perform(ex: Execution, t: Thread): void {
    take(ex, t, this.l, this.mode);
  }
  override blockers(): number[] {
    const out = this.l.writer ? [this.l.writer.id] : [...this.l.readers.keys()].map((r) => r.id);
    if (out.length === 0 && this.mode === 'RW_READER') for (const w of this.l.wantWrite) out.push(w.id);
    return out;
  }
  describe(): string {
    return `rw_enter(${this.l.name}, ${this.mode})`;
  }
}

export function rwEnter(l: KRwlock, mode: RwMode, site?: string): RwEnter {
  const e = new RwEnter(l, mode);
  e.site = site;
  return e;
}

class RwTry extends Effect<boolean> {
  readonly code = LockCode.rwTry;
  readonly sched = true;
  readonly obj: number;
  constructor(
    readonly l: KRwlock,
    readonly mode: RwMode | 'upgrade',
  ) {
    super();
    this.obj = l.id;
  }
  perform(ex: Execution, t: Thread): boolean {
    ex.touch(this.l.id, true);
    const l = this.l;
    if (this.mode === 'upgrade') {
      kassert(l.readers.has(t), () => `RW_READ_HELD(${l.name}) in rw_tryupgrade`, 'krwlock');
      if (l.readers.size !== 1 || l.readers.get(t) !== 1 || l.wantWrite.size > 0) return false;
      l.readers.delete(t);
      l.writer = t;
      return true;
    }
    if (!canEnter(l, this.mode)) return false;
    take(ex, t, l, this.mode);
    return true;
  }
  describe(): string {
    return this.mode === 'upgrade' ? `rw_tryupgrade(${this.l.name})` : `rw_tryenter(${this.l.name}, ${this.mode})`;
  }
}

/** rw_tryenter(&l, mode): true if acquired; never blocks. */
export function rwTryEnter(l: KRwlock, mode: RwMode, site?: string): RwTry {
  const e = new RwTry(l, mode);
  e.site = site;
  return e;
}
/** rw_tryupgrade(&l): reader to writer if it is the only reader and no writer waits. */
export function rwTryUpgrade(l: KRwlock, site?: string): RwTry {
  const e = new RwTry(l, 'upgrade');
  e.site = site;
  return e;
}

class RwLocal extends Effect<void> {
  readonly sched = false;
  readonly obj: number;
  constructor(
    readonly l: KRwlock,
    readonly code: number,
  ) {
    super();
    this.obj = l.id;
  }
  perform(ex: Execution, t: Thread): void {
    const l = this.l;
    // A reader leaving commutes with other readers entering or leaving, unless
    // a writer is parked (its enabledness depends on the reader count).
    ex.touch(l.id, (l.writer === t && !l.commutes) || l.wantWrite.size > 0 || this.code === LockCode.rwDowngrade);
    if (this.code === LockCode.rwDowngrade) {
      kassert(l.writer === t, () => `RW_WRITE_HELD(${l.name}) in rw_downgrade`, 'krwlock');
      l.writer = null;
      l.readers.set(t, 1);
      return;
    }
    if (l.writer === t) l.writer = null;
    else {
      const n = l.readers.get(t);
      kassert(n !== undefined, () => `RW_LOCK_HELD(${l.name}) in rw_exit by ${t.name}`, 'krwlock');
      if (n === 1) l.readers.delete(t);
      else l.readers.set(t, n - 1);
    }
    noteRelease(t, l.id);
  }
  describe(): string {
    return `${this.code === LockCode.rwDowngrade ? 'rw_downgrade' : 'rw_exit'}(${this.l.name})`;
  }
}

export function rwExit(l: KRwlock, site?: string): RwLocal {
  const e = new RwLocal(l, LockCode.rwExit);
  e.site = site;
  return e;
}
export function rwDowngrade(l: KRwlock, site?: string): RwLocal {
  const e = new RwLocal(l, LockCode.rwDowngrade);
  e.site = site;
  return e;
}
