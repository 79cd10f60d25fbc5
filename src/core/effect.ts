/**
 * Effects: the data a thread yields at each operation on shared state.
 *
 * A thread is a generator that `yield*`s effects. An effect is its own
 * one-shot iterator, so `const v = yield* eff` yields the effect once and
 * evaluates to what the runtime sent back (the effect's result) without
 * allocating a generator per operation.
 *
 * Two kinds:
 *  - scheduling points (`sched = true`): the thread parks with this effect
 *    pending and the strategy decides when it runs (lock acquires, cv
 *    wake-ups, unlocked shared accesses, message receipt, timer firing);
 *  - local effects (`sched = false`): performed at once, inside the current
 *    step (lock releases, cv_signal, sends, frees).
 */
import type { Execution, Thread } from './execution.ts';

export abstract class Effect<R = unknown> implements Iterator<Effect, R, unknown>, Iterable<Effect> {
  /** Stable small integer naming the kind of effect (for trace hashes). */
  abstract readonly code: number;
  /** True if the strategy chooses when this effect runs. */
  abstract readonly sched: boolean;
  /** Primary object touched (for hashing and reports), or -1. */
  abstract readonly obj: number;
  /** Whether the pending effect would write `obj` (DPOR's view of a parked thread). */
  get pendingWrite(): boolean {
    return true;
  }
  /**
   * DPOR with commuting mutexes (KMutex `commutes`): when a thread holding a
   * commuting mutex performs this effect, the step writes that mutex, so it
   * is ordered against every critical section of it. True for effects that
   * can block, so a wait inside a critical section is never reduced away;
   * mutex_enter overrides it to false, because a cycle of mutex waits alone
   * is a lock-order cycle, which the run-wide lock-order graph reports
   * whatever the interleaving.
   */
  get commuteBarrier(): boolean {
    return this.enabled !== Effect.prototype.enabled;
  }
  /**
   * The lock (engine object) this effect waits to acquire, enabled only
   * while no other thread holds it: mutex_enter, rw_enter as writer. -1 for
   * every other effect. DPOR uses it: the acquire cannot run while another
   * thread holds the lock, so a step that thread ran holding it is not a
   * race to reverse; the step where it acquired the lock is
   * (strategies/dfs.ts, raceCheck).
   */
  get acquires(): number {
    return -1;
  }
  /** Optional source site, e.g. 'netstack.c L274'. */
  declare site: string | undefined;
  declare private yielded: boolean;
  constructor() {
    // Plain assignments, not class-field definitions: effects are allocated
    // on every operation, and defining fields costs more than assigning them.
    this.site = undefined;
    this.yielded = false;
  }

  /** Can `t` perform this effect now? Must not mutate state. */
  enabled(_ex: Execution, _t: Thread): boolean {
    return true;
  }
  /** Perform it: mutate primitive state, record the footprint with ex.touch. */
  abstract perform(ex: Execution, t: Thread): unknown;
  /** Human-readable form: 'mutex_enter(netstack_g_lock)'. */
  abstract describe(ex: Execution): string;
  /** Threads that must act before this effect can be enabled (wait-for edges). */
  blockers(_ex: Execution, _t: Thread): number[] {
    return [];
  }
  /** Called once when the effect becomes the thread's pending effect. */
  onPending(_ex: Execution, _t: Thread): void {}

  [Symbol.iterator](): this {
    return this;
  }
  next(v?: unknown): IteratorResult<Effect, R> {
    // Two shared result objects instead of two allocations per effect: the
    // caller (`yield*`, then the step loop) reads a result before the next
    // call to any effect's next(), and never keeps it.
    if (!this.yielded) {
      this.yielded = true;
      YIELDED.value = this;
      return YIELDED;
    }
    RETURNED.value = v;
    return RETURNED as IteratorReturnResult<R>;
  }
}

const YIELDED: IteratorYieldResult<Effect> = { value: null as unknown as Effect, done: false };
const RETURNED: IteratorReturnResult<unknown> = { value: undefined, done: true };

/** A kernel code path: a generator of effects returning R. */
export type KThread<R = unknown> = Generator<Effect, R, unknown>;

/** Effect codes of the core (primitives use 16 and up). */
export const CoreCode = {
  touch: 1,
  spawn: 2,
  join: 3,
  send: 4,
  receive: 5,
  yieldPoint: 6,
  choose: 7,
} as const;
