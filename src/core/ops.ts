/**
 * Core effects any model uses: unlocked shared access, spawn, join, actor
 * mailboxes (send/receive), a bare scheduling point, and data choices.
 */
import { CoreCode, Effect } from './effect.ts';
import type { Execution, Thread } from './execution.ts';
import type { KThread } from './effect.ts';

/**
 * An access to a shared object: a scheduling point when unlocked (`access`),
 * a local footprint entry when the caller's lock protects it (`localAccess`).
 */
class Touch extends Effect<void> {
  readonly code = CoreCode.touch;
  constructor(
    readonly obj: number,
    readonly write: boolean,
    readonly what: string,
    readonly sched: boolean,
  ) {
    super();
  }
  override get pendingWrite(): boolean {
    return this.write;
  }
  perform(ex: Execution): void {
    ex.touch(this.obj, this.write);
  }
  describe(ex: Execution): string {
    return `${this.write ? 'write' : 'read'} ${ex.objectName(this.obj)}${this.what ? ` (${this.what})` : ''}${this.sched ? '' : ' (locked)'}`;
  }
}

/** `yield* access(obj, 'w', 'ns_flags')`: an unlocked read or write, a scheduling point. */
export function access(obj: number, mode: 'r' | 'w', what = '', site?: string): Touch {
  const e = new Touch(obj, mode === 'w', what, true);
  e.site = site;
  return e;
}

/**
 * `yield* localAccess(obj, 'w', 'ns_reg')`: record a read or write of a
 * shared object that the caller's lock protects; not a scheduling point,
 * but it is in the step's footprint (DPOR, invariants watching obj).
 */
export function localAccess(obj: number, mode: 'r' | 'w', what = '', site?: string): Touch {
  const e = new Touch(obj, mode === 'w', what, false);
  e.site = site;
  return e;
}

class Spawn extends Effect<number> {
  readonly code = CoreCode.spawn;
  readonly sched = false;
  readonly obj = -1;
  constructor(
    readonly name: string,
    readonly body: KThread,
    readonly daemon: boolean,
  ) {
    super();
  }
  perform(ex: Execution): number {
    const t = ex.spawn(this.name, this.body, this.daemon);
    ex.touch(t.obj, true);
    return t.id;
  }
  describe(): string {
    return `spawn ${this.name}`;
  }
}

/** Start a new thread from inside a thread; returns its id. */
export function spawn(name: string, body: KThread, daemon = false): Spawn {
  return new Spawn(name, body, daemon);
}

class Join extends Effect<unknown> {
  readonly code = CoreCode.join;
  readonly sched = true;
  constructor(
    readonly tid: number,
    readonly obj: number,
  ) {
    super();
  }
  override enabled(ex: Execution): boolean {
    return ex.thread(this.tid).done;
  }
  perform(ex: Execution): unknown {
    ex.touch(this.obj, false);
    return ex.thread(this.tid).result;
  }
  override blockers(): number[] {
    return [this.tid];
  }
  describe(ex: Execution): string {
    return `join ${ex.thread(this.tid).name}`;
  }
}

/** Wait for thread `tid` to return; evaluates to its result. */
export function join(ex: Execution, tid: number): Join {
  return new Join(tid, ex.thread(tid).obj);
}

class Send extends Effect<void> {
  readonly code = CoreCode.send;
  readonly sched = false;
  constructor(
    readonly tid: number,
    readonly obj: number,
    readonly msg: unknown,
  ) {
    super();
  }
  perform(ex: Execution): void {
    ex.thread(this.tid).mailbox.push(this.msg);
    ex.touch(this.obj, true);
  }
  describe(ex: Execution): string {
    return `send to ${ex.thread(this.tid).name}`;
  }
}

/** Post a message to thread `tid`'s mailbox (never blocks). */
export function send(ex: Execution, tid: number, msg: unknown): Send {
  return new Send(tid, ex.thread(tid).obj, msg);
}

class Receive extends Effect<unknown> {
  readonly code = CoreCode.receive;
  readonly sched = true;
  obj = -1;
  override onPending(_ex: Execution, t: Thread): void {
    this.obj = t.obj;
  }
  override enabled(_ex: Execution, t: Thread): boolean {
    return t.mailbox.length > 0;
  }
  perform(ex: Execution, t: Thread): unknown {
    ex.touch(t.obj, true);
    return t.mailbox.shift();
  }
  describe(): string {
    return 'receive';
  }
}

/** Take the oldest message of the running thread's mailbox; each delivery is a scheduling point. */
export function receive(): Receive {
  return new Receive();
}

class YieldPoint extends Effect<void> {
  readonly code = CoreCode.yieldPoint;
  readonly sched = true;
  readonly obj = -1;
  constructor(readonly label: string) {
    super();
  }
  perform(): void {}
  describe(): string {
    return `preempt ${this.label}`;
  }
}

/** A bare scheduling point that touches nothing (e.g. a callback boundary). */
export function preempt(label: string, site?: string): YieldPoint {
  const e = new YieldPoint(label);
  e.site = site;
  return e;
}

class Choose extends Effect<number> {
  readonly code = CoreCode.choose;
  readonly sched = false;
  readonly obj = -1;
  constructor(
    readonly n: number,
    readonly label: string,
  ) {
    super();
  }
  perform(ex: Execution): number {
    return ex.choose(this.n, this.label);
  }
  describe(): string {
    return `choose ${this.label} of ${this.n}`;
  }
}

/**
 * A recorded data choice in [0, n) made by the strategy.
 * DPOR relies on the number of values and the meaning of each being
 * determined by state that the step's footprint covers (cv_signal: the
 * sleepers of the cv it writes; KM_NOSLEEP: always two): a step that
 * made the choice sleeps with the union of its alternatives' footprints.
 */
export function choose(n: number, label: string): Choose {
  return new Choose(n, label);
}
