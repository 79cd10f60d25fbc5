/**
 * One execution of a scenario: the thread table, the step loop, effect
 * dispatch, the virtual clock, recording and failure detection.
 *
 * A step runs one thread from its pending scheduling point to its next one:
 * the pending effect is performed, then the generator is resumed, performing
 * local effects inline, until it yields the next scheduling point or ends.
 * Which thread steps, and every other nondeterministic choice, is asked of
 * the Chooser (a strategy) and recorded in `schedule`.
 */
import { CoreCode, Effect, type KThread } from './effect.ts';
import { ModelFailure } from './errors.ts';
import type { Failure } from './failure.ts';
import { mix } from './prng.ts';
import type { ParamValue, Scenario } from './scenario.ts';
import type { EndCheck, Invariant } from './spec.ts';
import { waitForReport } from './waitfor.ts';
import { AccessGuard, opaqueToGuard } from './guard.ts';
import { StateDigest } from './digest.ts';
import { BAR, COLON, COMMA, DOT, StateWalk, TextSink, type StateSink } from './state-walk.ts';

/** The strategy's view of one execution. */
export interface Chooser {
  /** Pick one of `enabled` (thread ids, ascending); return its index, or -1 to prune the execution. */
  pickThread(ex: Execution, enabled: readonly number[]): number;
  /** Pick a value in [0, n) for a labelled data choice. */
  pickValue(ex: Execution, n: number, label: string): number;
  /**
   * Optional: observe each finished step (DPOR reads footprints here). The
   * footprint is fp[0..n): a buffer the execution reuses for the next step,
   * so an observer copies what it keeps.
   */
  onStep?(ex: Execution, tid: number, fp: Int32Array, n: number): void;
  /**
   * Optional: the first N steps of this execution repeat an earlier one's,
   * which checked the invariants after each of them and found them holding
   * (a depth-first search re-running its path up to the choice it changed).
   * Invariants are pure functions of the state (spec.ts), so they are not
   * checked again after those steps.
   */
  readonly replayedSteps?: number;
}

export interface ExecOptions {
  mutant: string | null;
  params: Record<string, ParamValue>;
  maxSteps: number;
  /** Spurious cv wake-ups each thread may have in one execution (0: none). */
  spurious: number;
  allocFail: boolean;
  /** Keep the full trace (effects, footprints) for reports. */
  record: boolean;
  /**
   * Run the access guard (core/guard.ts): fail the execution when a state
   * write races another one unseen by the footprints. Recorded executions
   * (replay, reports, shrinking) always run it, so a token replays its failure.
   */
  guard?: boolean;
  /** Run-wide state shared by all executions of one run (lock-order graph...). */
  run: RunContext;
}

/** State that outlives one execution: lives for a whole run of a strategy. */
export class RunContext {
  readonly shared = new Map<string, unknown>();
  /** Checks run once at the end of the run (lock-order cycles). */
  readonly runChecks = new Map<string, () => Failure | null>();
  /** Replay token of the current execution, filled lazily by the runner. */
  currentExecution = 0;
}
opaqueToGuard(RunContext.prototype);

export type ThreadState = 'runnable' | 'done';

export class Thread {
  pending: Effect | null = null;
  done = false;
  result: unknown = undefined;
  /** Number of steps this thread has taken. */
  steps = 0;
  /** Locks held, innermost last (maintained by src/locks). */
  readonly held: { readonly id: number; readonly name: string; readonly cls: string }[] = [];
  /** Spurious wake-ups this thread has had (bounded by ExecOptions.spurious). */
  spuriousWakeups = 0;
  /** Messages delivered by `send`, consumed by `receive`. */
  readonly mailbox: unknown[] = [];
  /**
   * The thread's declared program point (Execution.programPoint): what its
   * generator frames hold that the shared state does not show, as a string.
   * Part of Execution.stateKey; '' until the thread declares one.
   */
  pp = '';
  /**
   * The thread's declared frames (Execution.frame), outermost first:
   * frames[0..nFrames). Entries above nFrames are stale and overwritten by
   * the next frame() (no truncation on the hot path).
   */
  readonly frameNames: string[] = [];
  readonly frameLocals: (() => readonly unknown[])[] = [];
  nFrames = 0;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly gen: KThread,
    /** Object id of the thread itself (join/exit footprint). */
    readonly obj: number,
    /** A daemon (taskq worker, callout) may stay blocked at the end. */
    readonly daemon: boolean,
  ) {}
}
opaqueToGuard(Thread.prototype);

export interface StepRecord {
  tid: number;
  /** Effects performed in the step: the scheduling point first, then locals. */
  effects: Effect[];
  /** Footprint: obj*2 + (write ? 1 : 0). */
  fp: number[];
  /** Virtual time after the step. */
  now: number;
  /** Threads that were enabled when this step was chosen. */
  enabled: number[];
  /** Locks each thread holds after the step (by thread id). */
  held: string[][];
  /** The scenario's view of object states after the step (Scenario.snapshot). */
  objects: Record<string, string> | null;
}

export interface ExecResult {
  /** The strategy stopped it early (a sleep-set-blocked DPOR branch): no verdict. */
  pruned: boolean;
  failure: Failure | null;
  steps: number;
  /** The recorded choices (thread ids and data values, in order). */
  schedule: number[];
  /** Per-step 4-bit signature of (thread, effect, object) for replay checks. */
  sigs: number[];
  traceHash: number;
  /** Full trace when options.record. */
  trace: StepRecord[] | null;
}

interface ObjInfo {
  name: string;
  kind: string;
}

export class Execution {
  readonly threads: Thread[] = [];
  private live: Thread[] = [];
  private readonly objs: ObjInfo[] = [];
  /** Virtual clock, in ticks. Advances only when a timer fires. */
  now = 0;
  /** Armed timer deadlines (callouts, cv_timedwait): handle -> deadline. */
  private readonly timers = new Map<number, number>();
  private nextTimer = 1;
  /** Currently running thread during a step (null between steps/during setup). */
  current: Thread | null = null;
  stepIndex = 0;
  readonly schedule: number[] = [];
  readonly sigs: number[] = [];
  traceHash = 0x811c9dc5;
  readonly trace: StepRecord[] | null;
  failure: Failure | null = null;
  /** Set when the strategy pruned the execution before its end. */
  pruned = false;
  /**
   * Footprint of the running step, fpBuf[0..fpLen): obj*2 + (write ? 1 : 0).
   * A buffer reused by every step (no per-step allocation, no truncation).
   */
  private fpBuf = new Int32Array(64);
  private fpLen = 0;
  /**
   * Ids of the locks the stepping thread held when its step began:
   * heldAtStartBuf[0..heldAtStartLen), reused by every step.
   */
  heldAtStartBuf = new Int32Array(16);
  heldAtStartLen = 0;
  /** The effect the running (or last) step began with: its scheduling point. */
  stepEffect: Effect | null = null;
  private stepEffects: Effect[] | null = null;
  state: unknown = undefined;
  private invariants: Invariant<unknown>[] = [];
  private watchedBy: number[][] = [];
  private alwaysCheck: number[] = [];
  private readonly invScratch = new Set<number>();
  private chooser: Chooser | null = null;
  private guard: AccessGuard | null = null;
  /** The "process exit" object of a scenario with exitWith (-1 without), and whether it happened. */
  private exitObj = -1;
  private exited = false;
  /** The "process exit" object (exitWith), -1 without: every step and pending effect reads it. */
  get exitObject(): number {
    return this.exitObj;
  }

  constructor(
    readonly scenario: Scenario<any>,
    readonly options: ExecOptions,
  ) {
    this.trace = options.record ? [] : null;
  }

  get mutant(): string | null {
    return this.options.mutant;
  }
  /** True when the named mutant (catalogued bug) is switched on. */
  bug(name: string): boolean {
    return this.options.mutant === name;
  }
  param<T extends ParamValue>(name: string): T {
    const v = this.options.params[name];
    if (v === undefined) throw new Error(`scenario ${this.scenario.name} has no parameter '${name}'`);
    return v as T;
  }

  // ---- objects ---------------------------------------------------------

  /** Register a shared object; its id names it in footprints and reports. */
  newObject(name: string, kind: string): number {
    this.objs.push({ name, kind });
    return this.objs.length - 1;
  }
  objectName(id: number): string {
    return this.objs[id]?.name ?? `#${id}`;
  }
  objectKind(id: number): string {
    return this.objs[id]?.kind ?? '?';
  }
  /** This execution's schedule so far (its own array: complete once it has ended). */
  get scheduleSoFar(): readonly number[] {
    return this.schedule;
  }
  get sigsSoFar(): readonly number[] {
    return this.sigs;
  }
  get threadCount(): number {
    return this.threads.length;
  }
  get objectCount(): number {
    return this.objs.length;
  }
  /**
   * Mark a mutex as commuting for DPOR (KMutex `commutes`): its acquire and
   * release read it instead of writing it, and every step of a thread that
   * holds it reads it, so two critical sections of it are ordered only when
   * their contents conflict. Sound only if every access to what it protects
   * is recorded (automatically or with localAccess); see docs/engine.md.
   */
  markCommuting(id: number): void {
    this.commuting[id] = true;
    this.hasCommuting = true;
  }
  isCommuting(id: number): boolean {
    return this.commuting[id] === true;
  }
  private readonly commuting: boolean[] = [];
  hasCommuting = false;
  /** Record that the running step read (write=false) or wrote an object. */
  touch(obj: number, write: boolean): void {
    if (this.current) this.pushFp(obj * 2 + (write ? 1 : 0));
  }
  private pushFp(code: number): void {
    if (this.fpLen === this.fpBuf.length) {
      const b = new Int32Array(this.fpBuf.length * 2);
      b.set(this.fpBuf);
      this.fpBuf = b;
    }
    this.fpBuf[this.fpLen++] = code;
  }
  /** The running (or last) step's footprint, as a fresh array (reports, tests). */
  stepFootprint(): number[] {
    return Array.from(this.fpBuf.subarray(0, this.fpLen));
  }
  /** Ids of the locks the last step's thread held when it began, as a fresh array. */
  get heldAtStart(): number[] {
    return Array.from(this.heldAtStartBuf.subarray(0, this.heldAtStartLen));
  }

  // ---- state caching -----------------------------------------------------

  private readonly stateful: { readonly id: number; stateKey(): string }[] = [];
  /** Primitives register here, with their object id, so that their state is part of stateKey(). */
  registerStateful(o: { readonly id: number; stateKey(): string }): void {
    this.stateful.push(o);
  }
  /**
   * The whole state, as a string, for state caching: the scenario's own
   * state (its stateHash, or the state walk of what setup() returned when
   * the scenario sets stateWalk), every primitive's state by object id, the
   * virtual clock and armed timers, and each live thread's pending effect,
   * declared program point (programPoint) and declared frames (frame).
   * Null when the scenario declares neither (caching is then refused).
   */
  stateKey(): string | null {
    const sink = new TextSink();
    return this.writeState(sink) ? sink.done() : null;
  }
  /**
   * A 128-bit digest of the state stateKey() writes, without building any
   * text: what the state cache keeps (digest.ts). Its walk writes each
   * object's shape by number, not its class and field names, so it is not
   * the digest of stateKey()'s text, but two states have the same digest
   * exactly when they have the same stateKey() (up to a collision).
   */
  stateDigest(): string | null {
    const sink = new StateDigest();
    return this.writeState(sink, true) ? sink.done() : null;
  }
  private writeState(out: StateSink, shapes = false): boolean {
    const sh = this.scenario.stateHash;
    const walk = this.scenario.stateWalk === true ? new StateWalk(this, out, shapes) : null;
    if (!sh && !walk) return false;
    if (sh) {
      // Length first: the walk's text follows it directly.
      const h = sh.call(this.scenario, this.state, this);
      out.num(h.length);
      out.mark(COLON);
      out.long(h);
    }
    if (walk) walk.value(this.state);
    // Token by token (numbers as numbers, state-walk.ts), so that the digest
    // formats nothing; the text is what the pieces spell.
    out.put('|t=');
    out.num(this.now);
    out.mark(BAR);
    for (const d of this.timers.values()) {
      out.num(d - this.now);
      out.mark(COMMA);
    }
    for (const o of this.stateful) {
      out.mark(BAR);
      out.num(o.id);
      out.put(o.stateKey());
    }
    for (const t of this.live) {
      if (walk && t.nFrames > 0) {
        out.mark(BAR);
        out.num(t.id);
        out.mark(COLON);
        for (let i = 0; i < t.nFrames; i++) walk.raw(t.frameNames[i]!).value(t.frameLocals[i]!()).raw(';');
      }
      out.mark(BAR);
      out.num(t.id);
      out.mark(COLON);
      out.put(t.pp);
      out.mark(COLON);
      const e = t.pending;
      // A thread stopped inside its step by a failure has no pending effect.
      if (e === null) {
        out.put('running');
        continue;
      }
      out.num(e.code);
      out.mark(COLON);
      out.num(e.obj);
      out.mark(COLON);
      out.put(e.site ?? '');
      out.mark(COLON);
      out.put(e.describe(this));
      out.mark(COLON);
      for (let i = 0; i < t.held.length; i++) {
        if (i > 0) out.mark(DOT);
        out.num(t.held[i]!.id);
      }
      out.mark(COLON);
      out.num(t.mailbox.length);
    }
    return true;
  }
  /**
   * Declare the running thread's program point: a string that, with the
   * shared state (stateHash, the primitives) and its pending effect,
   * determines the thread's future. A thread that keeps anything in
   * generator locals (a loop counter, a pointer read earlier, a branch
   * taken) must declare it before its next scheduling point, or state
   * caching may merge two states whose futures differ. Costs nothing
   * without state caching (one field write).
   */
  programPoint(key: string): void {
    this.currentThread().pp = key;
  }
  /**
   * Declare a frame of the running thread, for a scenario with stateWalk:
   * the model function's name and a closure over the locals it keeps
   * across scheduling points (its arguments that matter, loop cursors,
   * values read earlier, ghost names). The closure is called only when the
   * state key is taken, so it sees the locals' current values; the state
   * walk writes them as it writes the scenario state (objects by shape,
   * primitives by id). Returns the depth to hand to leave() when the
   * function returns. Outside a thread (setup) it does nothing.
   */
  frame(name: string, locals: () => readonly unknown[]): number {
    const t = this.current;
    if (t === null) return -1;
    const d = t.nFrames;
    t.frameNames[d] = name;
    t.frameLocals[d] = locals;
    t.nFrames = d + 1;
    return d;
  }
  /**
   * Pop the running thread's frames down to `depth` (frame()'s result).
   * A function that returns without leave() leaves its frame on the stack
   * until its caller leaves: a key finer than needed, never a coarser one.
   */
  leave(depth: number): void {
    const t = this.current;
    if (t !== null && depth >= 0) t.nFrames = depth;
  }
  /** leave(depth), then hand back v: `return ex.leaving(fr, yield* callee())`. */
  leaving<T>(depth: number, v: T): T {
    this.leave(depth);
    return v;
  }

  // ---- threads ---------------------------------------------------------

  /** Create a thread; it first runs when the strategy picks it. */
  spawn(name: string, body: KThread, daemon = false): Thread {
    const obj = this.newObject(`thread ${name}`, 'thread');
    const t = new Thread(this.threads.length, name, body, obj, daemon);
    this.threads.push(t);
    this.live.push(t);
    // The thread's first scheduling point is its start.
    this.park(t, new StartEffect(obj));
    return t;
  }
  /** Threads not yet returned, in spawn order. */
  get liveThreads(): readonly Thread[] {
    return this.live;
  }
  thread(id: number): Thread {
    return this.threads[id]!;
  }
  currentThread(): Thread {
    if (!this.current) throw new Error('no thread is running (called outside a step)');
    return this.current;
  }

  // ---- choices ---------------------------------------------------------

  /**
   * A recorded nondeterministic choice in [0, n).
   * DPOR relies on the number of values and the meaning of each being
   * determined by state that the step's footprint covers (cv_signal: the
   * sleepers of the cv it writes; KM_NOSLEEP: always two): a step that
   * made the choice sleeps with the union of its alternatives' footprints.
   */
  choose(n: number, label: string): number {
    if (n <= 1) return 0;
    const v = this.chooser!.pickValue(this, n, label);
    if (!(v >= 0 && v < n)) throw new ModelFailure('divergence', 'replay', `step ${this.stepIndex}: choice '${label}' out of range: ${v} of ${n}`);
    this.schedule.push(v);
    return v;
  }

  // ---- virtual clock ---------------------------------------------------

  /** Arm a timer at absolute time `deadline`; returns its handle. */
  armTimer(deadline: number): number {
    const h = this.nextTimer++;
    this.timers.set(h, deadline);
    return h;
  }
  disarmTimer(h: number): void {
    this.timers.delete(h);
  }
  /** A timer may fire when no armed timer has an earlier deadline. */
  timerCanFire(h: number): boolean {
    const d = this.timers.get(h);
    if (d === undefined) return false;
    for (const x of this.timers.values()) if (x < d) return false;
    return true;
  }
  /** Fire timer h: time advances to its deadline. */
  fireTimer(h: number): void {
    const d = this.timers.get(h)!;
    if (d > this.now) this.now = d;
    this.timers.delete(h);
  }

  // ---- the step loop ---------------------------------------------------

  private park(t: Thread, eff: Effect): void {
    t.pending = eff;
    eff.onPending(this, t);
  }

  /** Resume t's generator with `value` until its next scheduling point. */
  private advance(t: Thread, value: unknown): void {
    const gen = t.gen;
    for (;;) {
      const r = gen.next(value);
      if (r.done) {
        t.done = true;
        t.pending = null;
        t.result = r.value;
        this.touch(t.obj, true);
        const i = this.live.indexOf(t);
        this.live.splice(i, 1);
        if (this.exitObj >= 0 && t.name === this.scenario.exitWith) {
          // main returned: exit(), which ends every other thread where it
          // is. The threads left keep their pending effects, which DPOR
          // counts as reading the exit (pendingFp): each races the exit and
          // is explored before it.
          this.touch(this.exitObj, true);
          this.exited = true;
        }
        // A thread that returns holding a lock is a lock-discipline failure,
        // unless the scenario models the C behaviour (returnHoldingLocks:
        // 'keep'): the lock stays held by the finished thread, so whoever
        // wants it next waits forever, which the search reports as a deadlock.
        if (t.held.length > 0 && this.scenario.returnHoldingLocks !== 'keep') {
          throw new ModelFailure(
            'lock-discipline',
            'lock-discipline',
            `thread ${t.name} returned holding ${t.held.map((h) => h.name).join(', ')}`,
          );
        }
        return;
      }
      const eff = r.value;
      if (!eff.sched && eff.enabled(this, t)) {
        if (this.stepEffects) this.stepEffects.push(eff);
        value = eff.perform(this, t);
        continue;
      }
      this.park(t, eff);
      return;
    }
  }

  private fail(e: unknown, t: Thread | null): void {
    if (e instanceof ModelFailure) {
      this.failure = {
        kind: e.kind,
        spec: e.spec,
        message: e.message,
        step: this.stepIndex,
        thread: t ? t.name : null,
        details: [],
      };
    } else {
      const err = e as Error;
      const top = (err?.stack ?? '').split('\n').slice(1, 3).map((s) => s.trim());
      this.failure = {
        kind: 'model-error',
        spec: 'model-error',
        message: `model threw ${err?.name ?? 'error'}: ${err?.message ?? String(e)}`,
        step: this.stepIndex,
        thread: t ? t.name : null,
        details: top,
      };
    }
  }

  /** Run one step of thread t. */
  private step(t: Thread, enabled: readonly number[]): void {
    this.fpLen = 0;
    // Every step happens before the process exits, if it does: it reads the exit.
    if (this.exitObj >= 0) this.pushFp(this.exitObj * 2);
    // Locks held across the step protect what it writes without touching
    // them: invariants watching them are checked after it, and DPOR counts
    // it as writing those invariants' pseudo-objects.
    const held = t.held;
    if (held.length > this.heldAtStartBuf.length) this.heldAtStartBuf = new Int32Array(held.length * 2);
    const heldNow = this.heldAtStartBuf;
    for (let i = 0; i < held.length; i++) heldNow[i] = held[i]!.id;
    this.heldAtStartLen = held.length;
    const eff = t.pending!;
    this.stepEffect = eff;
    if (this.hasCommuting && held.length > 0) {
      // Holding a commuting mutex reads it; waiting while holding it writes it.
      const w = eff.commuteBarrier ? 1 : 0;
      for (let i = 0; i < held.length; i++) if (this.commuting[held[i]!.id]) this.pushFp(held[i]!.id * 2 + w);
    }
    t.pending = null;
    this.current = t;
    if (this.trace) this.stepEffects = [eff];
    try {
      const v = eff.perform(this, t);
      this.advance(t, v);
    } catch (e) {
      this.fail(e, t);
    }
    this.current = null;
    t.steps++;
    let h = mix(mix(this.traceHash, t.id), eff.code * 4099 + eff.obj);
    this.traceHash = h;
    this.sigs.push((h ^ (h >>> 4) ^ (h >>> 8)) & 15);
    if (this.trace) {
      let objects: Record<string, string> | null = null;
      if (this.scenario.snapshot && this.state !== undefined) {
        try {
          objects = this.scenario.snapshot(this.state, this);
        } catch {
          objects = null;
        }
      }
      this.trace.push({
        tid: t.id,
        effects: this.stepEffects!,
        fp: this.stepFootprint(),
        now: this.now,
        enabled: enabled.slice(),
        held: this.threads.map((th) => th.held.map((h) => h.name)),
        objects,
      });
    }
    if (this.chooser!.onStep) this.chooser!.onStep(this, t.id, this.fpBuf, this.fpLen);
    if (this.guard && !this.failure) this.failure = this.guard.afterStep(t.id, this.fpBuf, this.fpLen);
    this.stepIndex++;
  }

  /** Pending-effect view used by reports and DPOR. */
  pendingOf(tid: number): Effect | null {
    return this.threads[tid]!.pending;
  }

  private checkInvariants(all: boolean): void {
    const invs = this.invariants;
    if (invs.length === 0) return;
    let which: Iterable<number>;
    if (all) which = invs.keys();
    else {
      // Scratch set, reused: this runs after every step.
      const set = this.invScratch;
      set.clear();
      for (const k of this.alwaysCheck) set.add(k);
      const fp = this.fpBuf;
      const wb = this.watchedBy;
      for (let i = 0; i < this.fpLen; i++) {
        const w = wb[fp[i]! >> 1];
        if (w) for (const k of w) set.add(k);
      }
      const hs = this.heldAtStartBuf;
      for (let i = 0; i < this.heldAtStartLen; i++) {
        const w = wb[hs[i]!];
        if (w) for (const k of w) set.add(k);
      }
      if (set.size === 0) return;
      which = set;
    }
    for (const k of which) {
      const inv = invs[k]!;
      let msg: string | null;
      try {
        msg = inv.check(this.state, this);
      } catch (e) {
        this.fail(e, null);
        return;
      }
      if (msg !== null) {
        this.failure = { kind: 'invariant', spec: inv.name, message: msg, step: this.stepIndex - 1, thread: null, details: [] };
        return;
      }
    }
  }

  /**
   * Watch an object created during the execution (a netstack made by a zone
   * create) with the named invariant, from now on: it is checked after steps
   * touching the object, and DPOR orders those steps as it observes them.
   */
  watch(obj: number, invariant: string, ifPresent = false): void {
    const k = this.invariants.findIndex((i) => i.name === invariant);
    if (k < 0 && ifPresent) return;
    if (k < 0) throw new Error(`scenario ${this.scenario.name} has no invariant '${invariant}'`);
    const w = (this.watchedBy[obj] ??= []);
    if (!w.includes(k)) w.push(k);
  }

  /** Objects watched by invariant k (for DPOR's dependency relation). */
  invariantWatchMap(): number[][] {
    return this.watchedBy;
  }

  /** Run the execution to completion or failure under `chooser`. */
  run(chooser: Chooser): ExecResult {
    this.chooser = chooser;
    const sc = this.scenario;
    this.invariants = (sc.invariants ?? []) as Invariant<unknown>[];
    try {
      this.state = sc.setup(this);
    } catch (e) {
      this.fail(e, null);
    }
    if (sc.exitWith !== undefined && !this.failure) {
      if (this.threads.some((t) => t.name === sc.exitWith)) this.exitObj = this.newObject('process exit', 'ghost');
      else this.fail(new Error(`exitWith names '${sc.exitWith}', which setup did not spawn (it spawned: ${this.threads.map((t) => t.name).join(', ')})`), null);
    }
    if ((this.options.guard || this.options.record) && !this.failure) {
      this.guard = new AccessGuard(this);
      this.guard.start();
    }
    for (let k = 0; k < this.invariants.length && !this.failure; k++) {
      const w = this.invariants[k]!.watches;
      if (!w) {
        this.alwaysCheck.push(k);
        continue;
      }
      for (const o of w(this.state, this)) (this.watchedBy[o] ??= []).push(k);
    }
    const maxSteps = this.options.maxSteps;
    const replayed = chooser.replayedSteps ?? 0;
    while (!this.failure && !this.exited) {
      // The enabled set: with fewer than 31 threads, a bit mask names a
      // shared array (enabledOf), so the hot loop allocates nothing.
      let enabled: readonly number[];
      const live = this.live;
      if (this.threads.length < 31) {
        let mask = 0;
        for (let i = 0; i < live.length; i++) {
          const t = live[i]!;
          if (t.pending!.enabled(this, t)) mask |= 1 << t.id;
        }
        enabled = enabledOf(mask);
      } else {
        const en: number[] = [];
        for (let i = 0; i < live.length; i++) {
          const t = live[i]!;
          if (t.pending!.enabled(this, t)) en.push(t.id);
        }
        enabled = en;
      }
      if (enabled.length === 0) {
        if (live.some((t) => !t.daemon)) this.reportDeadlock();
        break;
      }
      if (this.stepIndex >= maxSteps) {
        this.failure = {
          kind: 'step-limit',
          spec: 'step-limit',
          message: `no completion within ${maxSteps} steps (livelock or starvation suspect)`,
          step: this.stepIndex,
          thread: null,
          details: live.map((t) => `${t.name}: ${t.pending!.describe(this)}`),
        };
        break;
      }
      // live is in spawn order, so enabled is ascending by thread id.
      let idx: number;
      try {
        idx = chooser.pickThread(this, enabled);
      } catch (e) {
        this.fail(e, null);
        break;
      }
      if (idx === -1) {
        // The strategy prunes this execution (sleep-set blocked): no verdict.
        this.pruned = true;
        return this.result();
      }
      const tid = enabled[idx];
      if (tid === undefined) {
        this.failure = {
          kind: 'divergence',
          spec: 'replay',
          message: `step ${this.stepIndex}: expected an enabled thread at index ${idx}, got ${enabled.length} enabled`,
          step: this.stepIndex,
          thread: null,
          details: [],
        };
        break;
      }
      this.schedule.push(tid);
      this.step(this.threads[tid]!, enabled);
      if (!this.failure && this.stepIndex > replayed) this.checkInvariants(false);
    }
    if (!this.failure) this.checkInvariants(true);
    if (!this.failure) {
      for (const c of (sc.endChecks ?? []) as EndCheck<unknown>[]) {
        let msg: string | null = null;
        try {
          msg = c.check(this.state, this);
        } catch (e) {
          this.fail(e, null);
          break;
        }
        if (msg !== null) {
          this.failure = { kind: 'end-state', spec: c.name, message: msg, step: this.stepIndex, thread: null, details: [] };
          break;
        }
      }
    }
    return this.result();
  }

  private result(): ExecResult {
    return {
      pruned: this.pruned,
      failure: this.failure,
      steps: this.stepIndex,
      schedule: this.schedule,
      sigs: this.sigs,
      traceHash: this.traceHash,
      trace: this.trace,
    };
  }

  private reportDeadlock(): void {
    const blocked = this.live.filter((t) => !t.daemon || t.pending);
    const { details, cycle } = waitForReport(this, blocked);
    this.failure = {
      kind: 'deadlock',
      spec: 'deadlock',
      message: cycle
        ? `no enabled thread; wait-for cycle ${cycle}`
        : `no enabled thread while ${this.live.filter((t) => !t.daemon).map((t) => t.name).join(', ')} unfinished`,
      step: this.stepIndex,
      thread: null,
      details,
    };
  }
}
opaqueToGuard(Execution.prototype);

/**
 * Enabled sets by bit mask of thread ids (all below 31), ascending. Shared
 * by every execution and frozen: a Chooser reads them, never keeps a
 * mutable reference. Masks below 4096 index an array, others a map.
 */
const ENABLED_SMALL: (readonly number[] | null)[] = Array.from({ length: 4096 }, () => null);
const ENABLED_BIG = new Map<number, readonly number[]>();
function enabledOf(mask: number): readonly number[] {
  if (mask < 4096) return ENABLED_SMALL[mask] ?? (ENABLED_SMALL[mask] = buildEnabled(mask));
  let a = ENABLED_BIG.get(mask);
  if (a === undefined) ENABLED_BIG.set(mask, (a = buildEnabled(mask)));
  return a;
}
function buildEnabled(mask: number): readonly number[] {
  const out: number[] = [];
  for (let t = 0; t < 31; t++) if (mask & (1 << t)) out.push(t);
  return Object.freeze(out);
}

/** The first scheduling point of every thread: its start. */
class StartEffect extends Effect<undefined> {
  readonly code = CoreCode.spawn;
  readonly sched = true;
  constructor(readonly obj: number) {
    super();
  }
  perform(ex: Execution, _t: Thread): undefined {
    ex.touch(this.obj, true);
    return undefined;
  }
  describe(ex: Execution): string {
    return `start ${ex.objectName(this.obj).replace(/^thread /, '')}`;
  }
}
